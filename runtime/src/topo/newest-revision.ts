/**
 * Passes on only what is at least as new, by etcd revision, as the newest it has passed on.
 *
 * A watch hears every change after it starts, and the current value is read besides (when the
 * watch starts, and again when it reconnects): the read's answer and the watch's events come
 * back on different calls and may arrive in either order. Taken as they arrive, a read sent
 * before a change but answered after the change's event would put the older value back — a
 * gateway that read `bootstrapping` while the watch told it `serving` would route nothing until
 * the next change of rule. Revisions order them: etcd numbers every change.
 */
export class NewestRevision {
  private newest = -1n;

  /** True (and `revision` the newest from now on) when nothing newer has been passed on. */
  admits(revision: string | number): boolean {
    const candidate = BigInt(revision);
    if (candidate < this.newest) return false;
    this.newest = candidate;
    return true;
  }
}
