import { describe, expect, it } from 'vitest';
import type { BackendMessage, FrontendMessage } from '../protocol/messages';
import { encodeSaslInitialResponse } from '../protocol/sasl-messages';
import { formatScramVerifier, makeScramVerifier } from '../protocol/scram-server';
import { RefusedPasswordKind, ScramAuthenticator, type AuthChannel } from './client-auth';

// node-postgres' own SCRAM client plays the client, as a real driver would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sasl = require('pg/lib/crypto/sasl') as {
  startSession(mechanisms: string[]): { mechanism: string; response: string };
  continueSession(session: unknown, password: string, serverData: string): Promise<void>;
};

/** A login's channel: what the server sent, and the client's next 'p' message on demand. */
function channel(): AuthChannel & { readonly sent: BackendMessage[]; answer(data: Buffer): void } {
  const sent: BackendMessage[] = [];
  let handler: ((message: FrontendMessage) => void) | undefined;
  return {
    sent,
    tls: undefined,
    send: (message) => sent.push(message),
    receive: (next) => (handler = next),
    answer: (data) => handler!({ type: 'password', data }),
  };
}

/** A verifier read that answers when the test says so. */
function pendingRead(): { lookup: (user: string) => Promise<string | null>; resolve(stored: string | null): void; reject(error: Error): void } {
  let settle: { resolve(stored: string | null): void; reject(error: Error): void } | undefined;
  const read = new Promise<string | null>((resolve, reject) => (settle = { resolve, reject }));
  return { lookup: () => read, resolve: (stored) => settle!.resolve(stored), reject: (error) => settle!.reject(error) };
}

/** A SASLInitialResponse's body, as the client sends it. */
function initialResponse(mechanism: string, response: string): Buffer {
  return encodeSaslInitialResponse({ mechanism, response: Buffer.from(response) });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ScramAuthenticator', () => {
  it('offers the mechanisms before the verifier is read, and completes the exchange once it is', async () => {
    const read = pendingRead();
    const login = channel();
    const done = new ScramAuthenticator(read.lookup).authenticate('alice', login);
    await tick();
    // The mechanisms leave while the read is still out: the client's answer overlaps it.
    expect(login.sent.map((message) => message.type)).toEqual(['authenticationSASL']);
    const offer = login.sent[0] as Extract<BackendMessage, { type: 'authenticationSASL' }>;
    const client = sasl.startSession([...offer.mechanisms]);
    login.answer(initialResponse(client.mechanism, client.response));
    await tick();
    expect(login.sent).toHaveLength(1); // the server-first message needs the verifier's salt
    read.resolve(formatScramVerifier(makeScramVerifier('correct horse')));
    await tick();
    const serverFirst = login.sent[1] as Extract<BackendMessage, { type: 'authenticationSASLContinue' }>;
    expect(serverFirst.type).toBe('authenticationSASLContinue');
    await sasl.continueSession(client, 'correct horse', serverFirst.data.toString('utf8'));
    login.answer(Buffer.from((client as unknown as { response: string }).response));
    await done;
    expect(login.sent.map((message) => message.type)).toEqual(['authenticationSASL', 'authenticationSASLContinue', 'authenticationSASLFinal']);
  });

  it('reports a read that fails after the client answered, not a wrong password', async () => {
    const read = pendingRead();
    const login = channel();
    const done = new ScramAuthenticator(read.lookup).authenticate('alice', login);
    read.reject(new Error('no pooler answered'));
    await tick();
    expect(login.sent.map((message) => message.type)).toEqual(['authenticationSASL']);
    login.answer(initialResponse('SCRAM-SHA-256', 'n,,n=,r=abc'));
    await expect(done).rejects.toThrow('no pooler answered');
  });

  it('refuses an md5 password with the fix, after the mechanisms', async () => {
    const login = channel();
    const done = new ScramAuthenticator(async () => 'md5a3556571e93b0d20722ba62be61e8c2d').authenticate('alice', login);
    await tick();
    login.answer(initialResponse('SCRAM-SHA-256', 'n,,n=,r=abc'));
    await expect(done).rejects.toBeInstanceOf(RefusedPasswordKind);
    await expect(done).rejects.toThrow("set password_encryption = 'scram-sha-256'");
  });
});
