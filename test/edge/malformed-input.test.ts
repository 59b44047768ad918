/**
 * A bounded socket-level fuzzer against a live gateway and a live pooler of a real local
 * cluster. Bad bytes arrive in every phase of a connection — before login, in the middle of
 * SCRAM, after login, inside COPY, inside an extended-protocol batch, inside TLS — and after
 * every phase the process under fire still has the same pid and a bystander session that
 * logged in before the fuzzing (same user, same pool) still answers.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeFrontend } from '../../runtime/src/protocol/encode-frontend';
import { frontendMessage } from '../../runtime/src/protocol/fixtures/arbitraries';
import { SUPERUSER } from '../../runtime/src/deployment/secrets';
import { type LocalCluster, startLocalCluster } from '../support/local-cluster';
import { supervisedPid } from '../support/faults';
import { type Received, WireClient } from '../support/wire-client';

const RUNS = 40;
const FRONTEND_CODES = 'BCDEFHPQSXcdfp'.split('').map((c) => c.charCodeAt(0));

/** A typed frame with a correct length around `body`. */
function frame(code: number, body: Uint8Array): Buffer {
  const bytes = Buffer.alloc(5 + body.length);
  bytes[0] = code;
  bytes.writeInt32BE(4 + body.length, 1);
  bytes.set(body, 5);
  return bytes;
}

/** Well-framed messages whose bodies are random, cut short, extended or changed. */
const badFrame: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(fc.constantFrom(...FRONTEND_CODES), fc.uint8Array({ maxLength: 64 })).map(([code, body]) => frame(code, body)),
  fc.tuple(fc.integer({ min: 0x20, max: 0x7e }), fc.uint8Array({ maxLength: 16 })).map(([code, body]) => frame(code, body)),
  fc.tuple(frontendMessage.map(encodeFrontend), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.boolean()).map(([valid, at, extra, cut]) => {
    const body = valid.subarray(5);
    return frame(valid[0]!, cut ? body.subarray(0, at % (body.length + 1)) : Buffer.concat([body, extra]));
  }),
);

/** Random bytes, possibly behind a well-formed start of a connection. */
const preLoginBytes = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.boolean()).map(([random, afterStartup]) => {
  const startup = encodeFrontend({ type: 'startup', protocolVersion: 196608, parameters: { user: SUPERUSER, database: 'postgres' } });
  return afterStartup ? Buffer.concat([startup.subarray(0, Math.max(1, startup.length - 1 - (random[0]! % 5))), random]) : Buffer.from(random);
});

/**
 * After the bad bytes: a Sync and a query. A connection that survived answers them; one that
 * did not is closed — and if the server said why, a malformed message was a protocol violation.
 */
async function outcome(client: WireClient): Promise<'closed' | 'answered' | 'waiting'> {
  client.write(encodeFrontend({ type: 'sync' }));
  client.write(encodeFrontend({ type: 'copyFail', message: 'fuzz' }));
  client.write(encodeFrontend({ type: 'query', sql: 'SELECT 1' }));
  let sawOne = false;
  for (;;) {
    const message: Received = await client.next(3_000);
    if (message === 'closed') return 'closed';
    if (message === 'timeout') return 'waiting';
    if (message.type === 'dataRow' && message.values[0]?.toString() === '1') sawOne = true;
    if (message.type === 'readyForQuery' && sawOne) return 'answered';
  }
}

interface Target {
  readonly name: string;
  readonly port: () => number;
  readonly process: () => string;
  /** Offers TLS to clients (poolers answer SSLRequest with 'N'). */
  readonly tls: boolean;
}

describe('malformed input against a live gateway and a live pooler', () => {
  let cluster: LocalCluster;
  const targets: Target[] = [
    { name: 'the gateway', port: () => cluster.layout.gateways[0]!.port, process: () => 'gateway-zone-a', tls: true },
    { name: "the primary's pooler", port: () => cluster.layout.instances[0]!.poolerPort, process: () => `pooler-${cluster.layout.instances[0]!.name}`, tls: false },
  ];

  beforeAll(async () => {
    cluster = await startLocalCluster(inject('testRoot'));
    await cluster.query('CREATE TABLE fuzz_copy (line text)');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const password = () => cluster.secrets.superuserPassword;
  const loggedIn = async (port: number, tls = false) => {
    const client = await WireClient.connect({ port, tls });
    await client.login(SUPERUSER, password());
    return client;
  };

  describe.each(targets)('$name', (target) => {
    let bystander: WireClient;
    let pid: number;

    beforeAll(async () => {
      pid = supervisedPid(cluster, target.process());
      bystander = await loggedIn(target.port());
    });
    afterAll(() => bystander?.close());

    /** The process kept its pid and the bystander's session still answers. */
    async function unharmed(): Promise<void> {
      expect(supervisedPid(cluster, target.process())).toBe(pid);
      expect(await bystander.query('SELECT 42')).toEqual([['42']]);
    }

    it('a Query without its NUL, and short Parse, Bind, Describe, Execute and Close bodies, end that connection with 08P01', async () => {
      const cases = [frame(0x51, Buffer.from('SELECT 1')), frame(0x50, Buffer.from([0x61])), frame(0x42, Buffer.from([0, 0, 0, 1])), frame(0x44, Buffer.from([])), frame(0x45, Buffer.from([0])), frame(0x43, Buffer.from('S'))];
      for (const bytes of cases) {
        const client = await loggedIn(target.port());
        client.write(bytes);
        const { messages, closed } = await client.drainUntilClosed(5_000);
        expect(closed).toBe(true);
        expect(messages.find((m) => m.type === 'errorResponse')).toMatchObject({ fields: { C: '08P01' } });
        await unharmed();
      }
    });

    it('survives random bytes before login', async () => {
      await fc.assert(
        fc.asyncProperty(preLoginBytes, async (bytes) => {
          const client = await WireClient.connect({ port: target.port() });
          client.write(bytes);
          const { messages } = await client.drainUntilClosed(300);
          client.close();
          // What the server said, if anything, is an answer to a startup request or an error.
          for (const message of messages) expect(['errorResponse', 'authenticationSASL', 'noticeResponse']).toContain(message.type);
        }),
        { numRuns: RUNS * 2 },
      );
      await unharmed();
    });

    it('survives bad messages in the middle of SCRAM', async () => {
      await fc.assert(
        fc.asyncProperty(badFrame, fc.boolean(), async (bytes, asPassword) => {
          const client = await WireClient.connect({ port: target.port() });
          const request = await client.startup(SUPERUSER);
          expect(request).toMatchObject({ type: 'authenticationSASL' });
          client.write(asPassword ? frame(0x70, bytes.subarray(5)) : bytes);
          const { messages, closed } = await client.drainUntilClosed(3_000);
          client.close();
          expect(closed).toBe(true);
          expect(messages.find((m) => m.type === 'authenticationOk')).toBeUndefined();
        }),
        { numRuns: RUNS },
      );
      await unharmed();
    });

    it('survives bad messages after login', async () => {
      await fc.assert(
        fc.asyncProperty(badFrame, async (bytes) => {
          const client = await loggedIn(target.port());
          client.write(bytes);
          expect(await outcome(client)).not.toBe('waiting');
          client.close();
        }),
        { numRuns: RUNS },
      );
      await unharmed();
    });

    it('survives bad messages inside COPY FROM STDIN', async () => {
      await fc.assert(
        fc.asyncProperty(badFrame, async (bytes) => {
          const client = await loggedIn(target.port());
          client.write(encodeFrontend({ type: 'query', sql: 'COPY fuzz_copy FROM STDIN' }));
          expect(await client.next()).toMatchObject({ type: 'copyInResponse' });
          client.write(encodeFrontend({ type: 'copyData', data: Buffer.from('a line\n') }));
          client.write(bytes);
          expect(await outcome(client)).not.toBe('waiting');
          client.close();
        }),
        { numRuns: RUNS },
      );
      await unharmed();
    });

    it('survives bad messages inside an extended-protocol batch', async () => {
      await fc.assert(
        fc.asyncProperty(badFrame, async (bytes) => {
          const client = await loggedIn(target.port());
          client.write(encodeFrontend({ type: 'parse', name: 'fuzz', sql: 'SELECT $1::int', parameterTypes: [23] }));
          client.write(encodeFrontend({ type: 'bind', portal: '', statement: 'fuzz', parameterFormats: [], parameters: [Buffer.from('7')], resultFormats: [] }));
          client.write(bytes);
          client.write(encodeFrontend({ type: 'execute', portal: '', maxRows: 0 }));
          expect(await outcome(client)).not.toBe('waiting');
          client.close();
        }),
        { numRuns: RUNS },
      );
      await unharmed();
    });

    it.runIf(target.tls)('survives bad bytes inside TLS, before and after login', async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(preLoginBytes.map((bytes) => ({ bytes, login: false })), badFrame.map((bytes) => ({ bytes, login: true }))), async ({ bytes, login }) => {
          const client = login ? await loggedIn(target.port(), true) : await WireClient.connect({ port: target.port(), tls: true });
          client.write(bytes);
          if (login) expect(await outcome(client)).not.toBe('waiting');
          else await client.drainUntilClosed(300);
          client.close();
        }),
        { numRuns: RUNS },
      );
      await unharmed();
    });
  });

  it('closes a logged-in connection that announces a message of 2^31 bytes, and only that one', async () => {
    const port = cluster.layout.gateways[0]!.port;
    const bystander = await loggedIn(port);
    const client = await loggedIn(port);
    client.write(Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]));
    const { messages, closed } = await client.drainUntilClosed(5_000);
    expect(closed).toBe(true);
    expect(messages.find((m) => m.type === 'errorResponse')).toMatchObject({ fields: { C: '08P01' } });
    expect(await bystander.query('SELECT 2')).toEqual([['2']]);
    bystander.close();
  });
});
