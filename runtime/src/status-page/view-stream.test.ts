import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer } from '../admin/http-server';
import { sleep } from '../util/net';
import { statusPageRoutes } from './status-page-routes';
import type { StatusView } from './status-view';
import { ViewStream, type ViewStreamOptions } from './view-stream';

function viewOf(term: number): StatusView {
  return {
    generatedAt: new Date().toISOString(),
    cluster: { name: 'c', term, ruleStatus: 'serving', primary: 'a', policy: null, syncStandbyNames: null, election: null, problems: [] },
    zones: [],
    instances: [],
    gateways: [],
    history: [],
    backups: { configured: false, status: null, list: [], checkedAt: null, running: null, recoverable: null, lastArchivedAt: null, archiveFailing: false, error: null },
  };
}

interface Event {
  readonly event: string;
  readonly data: unknown;
}

/** A real event-stream client over fetch: next() resolves with each event as it arrives. */
async function openEvents(url: string) {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    async next(): Promise<Event> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
          const data = field('data');
          if (data !== undefined) return { event: field('event') ?? 'message', data: JSON.parse(data) };
          continue; // the retry: line
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
    close: () => abort.abort(),
  };
}

describe('ViewStream on a real HTTP server', () => {
  let server: Server | undefined;
  let stream: ViewStream | undefined;
  afterEach(() => {
    stream?.close();
    server?.close();
  });

  /** A gateway-like server whose view's term is `state.term`; `state.computed` counts computations. */
  async function serve(options: ViewStreamOptions, compute?: () => Promise<StatusView>) {
    const state = { term: 1, computed: 0 };
    stream = new ViewStream(compute ?? (async () => {
      state.computed += 1;
      return viewOf(state.term);
    }), options);
    server = await startAdminServer({ host: '127.0.0.1', port: 0, token: 'admin-token', routes: { 'GET /v1/pools': () => ({}) }, publicRoutes: statusPageRoutes(stream) });
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    return { state, url, stream };
  }

  it('serves the page and the view without a token, while the other routes keep theirs', async () => {
    const { url } = await serve({});
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('data-testid="zones"');
    expect((await (await fetch(`${url}/v1/view`)).json()) as StatusView).toMatchObject({ cluster: { term: 1 } });
    expect((await fetch(`${url}/v1/pools`)).status).toBe(401);
  });

  it('sends the view to a listener, then again only when it has changed', async () => {
    const { state, url } = await serve({ intervalMs: 20, heartbeatMs: 60_000 });
    const events = await openEvents(`${url}/v1/view/events`);
    expect(events.contentType).toBe('text/event-stream; charset=utf-8');
    expect(await events.next()).toMatchObject({ event: 'view', data: { cluster: { term: 1 } } });
    state.term = 2;
    // Had an unchanged view been sent again, term 1 would come next.
    expect(await events.next()).toMatchObject({ event: 'view', data: { cluster: { term: 2 } } });
    events.close();
  });

  it('computes once for every listener and GET /v1/view that ask at the same time', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let computed = 0;
    const { url } = await serve({ intervalMs: 60_000 }, async () => {
      computed += 1;
      await gate;
      return viewOf(7);
    });
    const listeners = await Promise.all([1, 2, 3].map(() => openEvents(`${url}/v1/view/events`)));
    const polled = fetch(`${url}/v1/view`).then((response) => response.json() as Promise<StatusView>);
    release();
    for (const listener of listeners) expect(await listener.next()).toMatchObject({ event: 'view', data: { cluster: { term: 7 } } });
    expect((await polled).cluster.term).toBe(7);
    expect(computed).toBe(1);
    for (const listener of listeners) listener.close();
  });

  it('stops computing when the last listener goes away', async () => {
    const { state, url, stream } = await serve({ intervalMs: 10 });
    const events = await openEvents(`${url}/v1/view/events`);
    await events.next();
    events.close();
    await expect.poll(() => stream.listenerCount).toBe(0);
    const after = state.computed;
    await sleep(200);
    // At most the round that was under way when the listener left.
    expect(state.computed).toBeLessThanOrEqual(after + 1);
  });

  it('answers 503 beyond its listener cap, and takes a listener again once one left', async () => {
    const { url, stream } = await serve({ maxListeners: 2 });
    const first = await openEvents(`${url}/v1/view/events`);
    const second = await openEvents(`${url}/v1/view/events`);
    const refused = await fetch(`${url}/v1/view/events`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toContain('2 pages are open');
    first.close();
    await expect.poll(() => stream.listenerCount).toBe(1);
    const third = await openEvents(`${url}/v1/view/events`);
    expect(third.status).toBe(200);
    second.close();
    third.close();
  });

  it('heartbeats a listener when the view stays the same', async () => {
    const { url } = await serve({ intervalMs: 10, heartbeatMs: 30 });
    const events = await openEvents(`${url}/v1/view/events`);
    expect((await events.next()).event).toBe('view');
    const heartbeat = await events.next();
    expect(heartbeat.event).toBe('heartbeat');
    expect(Number.isNaN(Date.parse((heartbeat.data as { at: string }).at))).toBe(false);
    events.close();
  });
});
