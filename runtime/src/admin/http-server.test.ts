import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recruitSchema } from '../agent/consensus-schemas';
import { parseBody, startAdminServer } from './http-server';
import type { Server } from 'node:http';

describe('admin API server', () => {
  let server: Server;
  let url: string;
  const token = 'secret-token';

  beforeAll(async () => {
    server = await startAdminServer({
      host: '127.0.0.1',
      port: 0,
      token,
      routes: { 'POST /v1/recruit': (body) => ({ accepted: parseBody(recruitSchema, body).term }) },
      publicRoutes: { 'GET /metrics': async () => ({ contentType: 'text/plain', body: 'ok 1\n' }) },
    });
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server.close());

  const post = (path: string, body: string, auth = `Bearer ${token}`) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });

  it('refuses a missing or wrong token', async () => {
    expect((await post('/v1/recruit', '{}', 'Bearer nope')).status).toBe(401);
  });

  it('answers 400 naming the field for a malformed request, and acts on a good one', async () => {
    const bad = await post('/v1/recruit', JSON.stringify({ term: -1, by: 'x', fence: 'nuke' }));
    expect(bad.status).toBe(400);
    const message = ((await bad.json()) as { error: string }).error;
    expect(message).toContain('term');
    expect(message).toContain('fence');
    expect((await post('/v1/recruit', 'not json')).status).toBe(400);
    const good = await post('/v1/recruit', JSON.stringify({ term: 3, by: 'o', fence: 'kill' }));
    expect(await good.json()).toEqual({ accepted: 3 });
  });

  it('answers 404 for an unknown route and serves public routes without a token', async () => {
    expect((await post('/v1/nothing', '{}')).status).toBe(404);
    expect(await (await fetch(`${url}/metrics`)).text()).toBe('ok 1\n');
  });

  it('parseBody reports every problem', () => {
    expect(() => parseBody(z.object({ a: z.number(), b: z.string() }), { a: 'x' })).toThrow(/a: .*; b: /);
  });
});
