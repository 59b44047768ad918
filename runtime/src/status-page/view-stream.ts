/**
 * The view as server-sent events, for every page open on a gateway. One computation serves
 * every listener (and `GET /v1/view`): at most one a second while someone listens, none when
 * nobody does. A listener gets the view when it changes, and a heartbeat when nothing has
 * been sent to it for a while, so the page can tell a quiet cluster from a dead stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StatusView } from './status-view';

export interface ViewStreamOptions {
  /** Time between two computations while someone listens (and how long a view is reused). */
  readonly intervalMs?: number;
  /** A listener that has been sent nothing for this long gets a heartbeat. */
  readonly heartbeatMs?: number;
  /** Pages beyond this many are answered 503: each costs the gateway a socket and writes. */
  readonly maxListeners?: number;
  /** A computation failed; the stream goes on and tries again next time. */
  readonly onError?: (error: Error) => void;
}

interface Listener {
  readonly response: ServerResponse;
  /** The view last sent, as its key; undefined until the first. */
  sentKey: string | undefined;
  lastWriteAt: number;
}

/** A listener that reads slower than this much buffered output is dropped, not buffered for. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export class ViewStream {
  private readonly listeners = new Set<Listener>();
  private latest: { readonly view: StatusView; readonly key: string; readonly at: number } | undefined;
  private computing: Promise<StatusView> | undefined;
  private looping = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly intervalMs: number;
  private readonly heartbeatMs: number;
  private readonly maxListeners: number;

  constructor(private readonly compute: () => Promise<StatusView>, private readonly options: ViewStreamOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxListeners = options.maxListeners ?? 32;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** The view: a recent one as it is, otherwise a new one, shared with whoever asks meanwhile. */
  view(): Promise<StatusView> {
    if (this.latest && Date.now() - this.latest.at < this.intervalMs) return Promise.resolve(this.latest.view);
    return this.refresh();
  }

  /** Takes an event-stream response over; false (nothing written) when the stream is full or closed. */
  attach(request: IncomingMessage, response: ServerResponse): boolean {
    if (this.closed || this.listeners.size >= this.maxListeners) return false;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies (nginx) would otherwise hold the events back in their buffers.
      'x-accel-buffering': 'no',
    });
    // The browser reconnects by itself after 2 s when the stream breaks.
    response.write('retry: 2000\n\n');
    const listener: Listener = { response, sentKey: undefined, lastWriteAt: Date.now() };
    this.listeners.add(listener);
    const remove = () => this.listeners.delete(listener);
    request.once('close', remove);
    response.once('close', remove);
    response.once('error', remove);
    if (this.latest && Date.now() - this.latest.at < this.intervalMs) this.send(listener, this.latest);
    this.startLoop();
    return true;
  }

  /** Ends every stream and stops computing. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const listener of this.listeners) listener.response.end();
    this.listeners.clear();
  }

  private refresh(): Promise<StatusView> {
    this.computing ??= this.compute()
      .then((view) => {
        this.latest = { view, key: keyOf(view), at: Date.now() };
        return view;
      })
      .finally(() => {
        this.computing = undefined;
      });
    return this.computing;
  }

  private startLoop(): void {
    if (this.looping) return;
    this.looping = true;
    void this.tick();
  }

  /** One round: compute, push to whoever has not seen this view, heartbeat the rest, then wait. */
  private async tick(): Promise<void> {
    if (this.closed || this.listeners.size === 0) {
      this.looping = false;
      return;
    }
    const startedAt = Date.now();
    try {
      await this.refresh();
    } catch (error) {
      this.options.onError?.(error as Error);
    }
    const latest = this.latest;
    for (const listener of this.listeners) {
      if (latest && listener.sentKey !== latest.key) this.send(listener, latest);
      else if (Date.now() - listener.lastWriteAt >= this.heartbeatMs) this.write(listener, 'heartbeat', JSON.stringify({ at: new Date().toISOString() }));
    }
    // A slow round (a pooler that does not answer) is not followed by a full interval more.
    this.timer = setTimeout(() => void this.tick(), Math.max(0, this.intervalMs - (Date.now() - startedAt)));
    this.timer.unref();
  }

  private send(listener: Listener, latest: { readonly view: StatusView; readonly key: string }): void {
    listener.sentKey = latest.key;
    this.write(listener, 'view', JSON.stringify(latest.view));
  }

  private write(listener: Listener, event: string, data: string): void {
    if (listener.response.writableLength > MAX_BUFFERED_BYTES) {
      this.listeners.delete(listener);
      listener.response.destroy();
      return;
    }
    listener.lastWriteAt = Date.now();
    // JSON.stringify leaves no newline in `data`, which would end the event early.
    listener.response.write(`event: ${event}\ndata: ${data}\n\n`);
  }
}

/** What identifies a view's content: everything but the time it was computed. */
function keyOf(view: StatusView): string {
  return JSON.stringify({ ...view, generatedAt: undefined });
}
