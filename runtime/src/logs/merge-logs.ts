/**
 * Merges streams that are each in their own order into one ordered by time (a k-way merge,
 * pulling one item at a time, so no stream is read ahead). Each stream's own order is kept
 * even where its times go backwards. On equal times the stream that gave the last item goes
 * on — a Postgres error and its STATEMENT lines, which share a time, stay together — and
 * otherwise the earlier stream in the list goes first.
 */
export function* mergeByTime<T extends { readonly time: number }>(streams: readonly Iterable<T>[]): Generator<T> {
  const heads = streams.map((stream) => {
    const iterator = stream[Symbol.iterator]();
    return { iterator, next: iterator.next() };
  });
  let last = -1;
  for (;;) {
    let best = -1;
    for (const [index, head] of heads.entries()) {
      if (head.next.done) continue;
      const bestHead = heads[best];
      if (!bestHead || bestHead.next.done) {
        best = index;
        continue;
      }
      const [time, bestTime] = [head.next.value.time, bestHead.next.value.time];
      if (time < bestTime || (time === bestTime && index === last)) best = index;
    }
    const chosen = heads[best];
    if (!chosen || chosen.next.done) return;
    yield chosen.next.value;
    chosen.next = chosen.iterator.next();
    last = best;
  }
}
