/**
 * Every decoder is total: for any bytes, well framed or not, it returns a message or throws a
 * ProtocolError — never a RangeError, a TypeError or anything else that would escape a
 * connection's error boundary as a bug. Bodies are drawn three ways: random bytes under every
 * message type, valid bodies cut short or extended, and valid bodies with one byte changed.
 * What decodes must also survive a second round (decode(encode(m)) equals m), so a decoder
 * cannot accept something the rest of the proxy would then mishandle.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readClientFrame } from '../session/client-frame';
import { decodeBackend } from './decode-backend';
import { decodeFrontend, decodeStartupFrame } from './decode-frontend';
import { encodeBackend } from './encode-backend';
import { encodeFrontend } from './encode-frontend';
import { backendMessage, frontendMessage, startupMessage } from './fixtures/arbitraries';
import { MessageFramer } from './framer';
import type { BackendMessage, FrontendMessage } from './messages';
import { ProtocolError } from './protocol-error';
import { decodePasswordMessage, decodeSaslInitialResponse } from './sasl-messages';
import { AuthenticationFailed, ScramServerSession, makeScramVerifier } from './scram-server';

const FRONTEND_CODES = 'BCDEFHPQSXcdfp'.split('').map((c) => c.charCodeAt(0));
const BACKEND_CODES = '123ACDEGHIKNRSTVWZcdnstv'.split('').map((c) => c.charCodeAt(0));
const RUNS = 3_000;

/**
 * Bytes after a frame, as a framer's buffer holds the next message there: a decoder that
 * reads past its frame's end finds plausible fields (a NUL, lengths) instead of the buffer's end.
 */
const NEXT_MESSAGE = Buffer.from([0, 0, 0, 0, 1, 0x51, 0, 0, 0, 5, 0, 0xff]);

/** A typed frame with a correct length around `body`, followed by the next message's bytes; see `end`. */
function frame(code: number, body: Uint8Array): Buffer {
  const bytes = Buffer.alloc(5 + body.length + NEXT_MESSAGE.length);
  bytes[0] = code;
  bytes.writeInt32BE(4 + body.length, 1);
  bytes.set(body, 5);
  NEXT_MESSAGE.copy(bytes, 5 + body.length);
  return bytes;
}

/** Where the frame built by `frame` ends. */
function end(bytes: Buffer): number {
  return bytes.length - NEXT_MESSAGE.length;
}

/** Calls `decode`; a thrown ProtocolError is the other allowed outcome. */
function totally<T>(decode: () => T): T | ProtocolError {
  try {
    return decode();
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw new Error(`a decoder threw ${String(error)} instead of a ProtocolError`);
    return error;
  }
}

/** Bodies made from a valid one: cut short, extended with random bytes, or with one byte changed. */
function mutations(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<{ code: number; body: Buffer }> {
  return fc.tuple(valid, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 2 })).map(([bytes, at, extra, how]) => {
    const code = bytes[0]!;
    const body = bytes.subarray(5);
    if (how === 0) return { code, body: body.subarray(0, at % (body.length + 1)) };
    if (how === 1) return { code, body: Buffer.concat([body, extra]) };
    const changed = Buffer.from(body);
    if (changed.length > 0) changed[at % changed.length] = extra[0]!;
    return { code, body: changed };
  });
}

const randomBody = fc.uint8Array({ maxLength: 120 });

describe('frontend decoders are total', () => {
  it('under every message type, random bodies decode or are a ProtocolError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FRONTEND_CODES), randomBody, (code, body) => {
        const bytes = frame(code, body);
        const result = totally(() => decodeFrontend(code, bytes, 5, end(bytes)));
        if (!(result instanceof ProtocolError)) expect(roundTripFrontend(result)).toEqual(result);
      }),
      { numRuns: RUNS },
    );
  });

  it('valid bodies cut short, extended or changed decode or are a ProtocolError', () => {
    fc.assert(
      fc.property(mutations(frontendMessage.map(encodeFrontend)), ({ code, body }) => {
        const bytes = frame(code, body);
        const result = totally(() => decodeFrontend(code, bytes, 5, end(bytes)));
        if (!(result instanceof ProtocolError)) expect(roundTripFrontend(result)).toEqual(result);
      }),
      { numRuns: RUNS },
    );
  });

  it('startup-phase bodies (startup, SSL, GSS, cancel) decode or are a ProtocolError', () => {
    const valid = startupMessage.map((message) => Buffer.concat([Buffer.from([0]), encodeFrontend(message)]));
    fc.assert(
      fc.property(fc.oneof(mutations(valid).map(({ body }) => body), randomBody.map((body) => Buffer.from(body))), (body) => {
        const untyped = Buffer.concat([Buffer.alloc(4), body, NEXT_MESSAGE]);
        untyped.writeInt32BE(4 + body.length, 0);
        totally(() => decodeStartupFrame(untyped, 4, 4 + body.length));
      }),
      { numRuns: RUNS },
    );
  });

  it("a session's frame check takes any code and body: a frame to queue, or a ProtocolError", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.oneof(randomBody, mutations(frontendMessage.map(encodeFrontend)).map(({ body }) => body)), (code, body) => {
        const bytes = frame(code, body);
        const result = totally(() => readClientFrame(code, bytes.subarray(0, end(bytes))));
        if (!(result instanceof ProtocolError)) {
          expect(result.code).toBe(code);
          expect(result.message === undefined).toBe(code === 0x64); // only CopyData stays undecoded
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('authentication bodies (password, SASL initial response) decode or are a ProtocolError', () => {
    fc.assert(
      fc.property(randomBody, (body) => {
        // As the session hands them over: a view on the frame, with the next message behind it.
        const view = Buffer.concat([body, NEXT_MESSAGE]).subarray(0, body.length);
        totally(() => decodePasswordMessage(view));
        totally(() => decodeSaslInitialResponse(view));
      }),
      { numRuns: RUNS },
    );
  });

  it('SCRAM messages of any shape fail authentication, and only that way', () => {
    const verifier = makeScramVerifier('secret', 64);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 120 }), fc.constantFrom('SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS', 'x'), (first, final, mechanism) => {
        const session = new ScramServerSession(verifier, Buffer.alloc(32, 1));
        try {
          session.clientFirst(mechanism, first);
          session.clientFinal(final);
          expect.unreachable('a random proof was accepted');
        } catch (error) {
          expect(error).toBeInstanceOf(AuthenticationFailed);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('backend decoders are total', () => {
  it('under every message type, random bodies decode or are a ProtocolError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BACKEND_CODES), randomBody, (code, body) => {
        const bytes = frame(code, body);
        const result = totally(() => decodeBackend(code, bytes, 5, end(bytes)));
        if (!(result instanceof ProtocolError)) expect(roundTripBackend(result)).toEqual(result);
      }),
      { numRuns: RUNS },
    );
  });

  it('valid bodies cut short, extended or changed decode or are a ProtocolError', () => {
    fc.assert(
      fc.property(mutations(backendMessage.map(encodeBackend)), ({ code, body }) => {
        const bytes = frame(code, body);
        const result = totally(() => decodeBackend(code, bytes, 5, end(bytes)));
        if (!(result instanceof ProtocolError)) expect(roundTripBackend(result)).toEqual(result);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the framer is total', () => {
  it('splits any bytes, in any chunks, into frames that tile the input, or stops with a ProtocolError', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 8 }), fc.boolean(), fc.integer({ min: 5, max: 200 }), (chunks, startupPhase, limit) => {
        const framer = new MessageFramer({ startupPhase, maxMessageBytes: limit });
        const input = Buffer.concat(chunks);
        const frames: Buffer[] = [];
        const result = totally(() => {
          for (const chunk of chunks) framer.push(Buffer.from(chunk), (_code, buffer, start, _body, end) => frames.push(Buffer.from(buffer.subarray(start, end))));
        });
        const framed = Buffer.concat(frames);
        // Frames are the input's own bytes, in order, each within the size limit.
        expect(input.subarray(0, framed.length).equals(framed)).toBe(true);
        for (const bytes of frames) expect(bytes.length - (startupPhase ? 0 : 1)).toBeLessThanOrEqual(limit);
        if (!(result instanceof ProtocolError)) expect(framed.length + framer.buffered).toBe(input.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('frames well-formed streams of every message, however they are cut', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(frontendMessage.map(encodeFrontend), backendMessage.map(encodeBackend)), { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 6 }), (messages, cuts) => {
        const stream = Buffer.concat(messages);
        const at = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((start, i) => stream.subarray(start, at[i] ?? stream.length));
        const framer = new MessageFramer();
        const frames: Buffer[] = [];
        for (const chunk of chunks) framer.push(chunk, (_code, buffer, start, _body, end) => frames.push(Buffer.from(buffer.subarray(start, end))));
        expect(frames).toEqual(messages);
        expect(framer.buffered).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });
});

function roundTripFrontend(message: FrontendMessage): FrontendMessage {
  const bytes = encodeFrontend(message);
  return decodeFrontend(bytes[0]!, bytes, 5, bytes.length);
}

function roundTripBackend(message: BackendMessage): BackendMessage {
  const bytes = encodeBackend(message);
  return decodeBackend(bytes[0]!, bytes, 5, bytes.length);
}
