import { describe, expect, it } from 'vitest';
import { AuthenticationFailed, ScramServerSession, formatScramVerifier, makeScramVerifier, parseScramVerifier, scramMechanisms, tlsServerEndPoint } from './scram-server';

// node-postgres' own SCRAM client drives the exchange, as a real driver would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sasl = require('pg/lib/crypto/sasl') as {
  startSession(mechanisms: string[], stream?: unknown): { mechanism: string; response: string };
  continueSession(session: unknown, password: string, serverData: string, stream?: unknown): Promise<void>;
  finalizeSession(session: unknown, serverData: string): void;
};

async function exchange(server: ScramServerSession, password: string): Promise<void> {
  const session = sasl.startSession(scramMechanisms(undefined));
  const serverFirst = server.clientFirst(session.mechanism, session.response);
  await sasl.continueSession(session, password, serverFirst);
  const serverFinal = server.clientFinal((session as { response: string }).response);
  sasl.finalizeSession(session, serverFinal);
}

describe('SCRAM-SHA-256 server', () => {
  const verifier = makeScramVerifier('correct horse');

  it('accepts the right password and proves itself to the client', async () => {
    await expect(exchange(new ScramServerSession(verifier), 'correct horse')).resolves.toBeUndefined();
  });

  it('refuses a wrong password', async () => {
    await expect(exchange(new ScramServerSession(verifier), 'wrong')).rejects.toBeInstanceOf(AuthenticationFailed);
  });

  it('runs the whole exchange for an unknown user, then refuses', async () => {
    await expect(exchange(new ScramServerSession(undefined), 'anything')).rejects.toThrow('password authentication failed');
  });

  it('gives an unknown user the same salt at every login, as a real user has, and another user another', () => {
    // A salt drawn afresh at each login would tell a missing user from a real one.
    const saltOf = (user: string) => /,s=([^,]+),/.exec(new ScramServerSession(undefined, undefined, user).clientFirst('SCRAM-SHA-256', 'n,,n=,r=abc'))![1];
    expect(saltOf('nobody')).toBe(saltOf('nobody'));
    expect(saltOf('nobody')).not.toBe(saltOf('someone else'));
    expect(Buffer.from(saltOf('nobody')!, 'base64')).toHaveLength(16);
  });

  it('round-trips the pg_authid format and ignores other password kinds', () => {
    expect(parseScramVerifier(formatScramVerifier(verifier))).toEqual(verifier);
    expect(parseScramVerifier('md5a3556571e93b0d20722ba62be61e8c2d')).toBeUndefined();
    expect(parseScramVerifier(null)).toBeUndefined();
  });

  it('matches the verifier Postgres computes for the same salt and iterations', () => {
    // From pg_authid after CREATE ROLE ... PASSWORD 'secret' on Postgres 15.
    const fromPostgres = 'SCRAM-SHA-256$4096:+HN6/nZegdNvarqcKCoUKQ==$z+298qNMMkMSe1KvQX+yLg4XkWD9nWXhfMhH8SYK4jk=:QUj9EzOG4am5jlWw3sKnCtcgzLtndm9cZKoGNSHs/Qc=';
    const parsed = parseScramVerifier(fromPostgres)!;
    expect(formatScramVerifier(makeScramVerifier('secret', parsed.iterations, parsed.salt))).toBe(fromPostgres);
  });

  it('offers SCRAM-SHA-256-PLUS over TLS and checks the channel binding', () => {
    const binding = tlsServerEndPoint(Buffer.from('certificate'));
    const server = new ScramServerSession(verifier, binding);
    expect(scramMechanisms(binding)).toEqual(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    expect(scramMechanisms(undefined)).toEqual(['SCRAM-SHA-256']);
    expect(() => server.clientFirst('SCRAM-SHA-256', 'y,,n=*,r=abc')).toThrow('downgrade');
    expect(() => new ScramServerSession(verifier).clientFirst('SCRAM-SHA-256-PLUS', 'p=tls-server-end-point,,n=*,r=abc')).toThrow('not offered');
  });

  it('rejects malformed messages', () => {
    expect(() => new ScramServerSession(verifier).clientFirst('SCRAM-SHA-256', 'garbage')).toThrow(AuthenticationFailed);
    const server = new ScramServerSession(verifier);
    server.clientFirst('SCRAM-SHA-256', 'n,,n=*,r=abc');
    expect(() => server.clientFinal('c=biws,r=wrong,p=AAAA')).toThrow(AuthenticationFailed);
  });
});
