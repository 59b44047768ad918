import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBackend } from './decode-backend';
import { decodeFrontend, decodeStartupFrame } from './decode-frontend';
import { encodeBackend } from './encode-backend';
import { encodeFrontend } from './encode-frontend';
import { BACKEND_FIXTURES } from './fixtures/backend-fixtures';
import { FRONTEND_FIXTURES } from './fixtures/frontend-fixtures';
import { MessageFramer } from './framer';
import type { BackendMessage, FrontendMessage } from './messages';
import { ProtocolError } from './protocol-error';
import { backendMessage, frontendMessage, startupMessage } from './fixtures/arbitraries';
import { decodePasswordMessage, decodeSaslInitialResponse, encodeSaslInitialResponse } from './sasl-messages';

const STARTUP_TYPES = new Set(['startup', 'sslRequest', 'gssEncRequest', 'cancelRequest']);

/** Frames and decodes a whole stream of frontend bytes, delivered in the given chunks. */
function parseFrontend(chunks: Buffer[], startupPhase: boolean): FrontendMessage[] {
  const framer = new MessageFramer({ startupPhase });
  const out: FrontendMessage[] = [];
  for (const chunk of chunks) {
    framer.push(chunk, (code, buffer, _frame, body, end) => out.push(code === 0 ? decodeStartupFrame(buffer, body, end) : decodeFrontend(code, buffer, body, end)));
  }
  return out;
}

function parseBackend(chunks: Buffer[]): BackendMessage[] {
  const framer = new MessageFramer();
  const out: BackendMessage[] = [];
  for (const chunk of chunks) framer.push(chunk, (code, buffer, _frame, body, end) => out.push(decodeBackend(code, buffer, body, end)));
  return out;
}

describe('frontend messages: byte fixtures', () => {
  for (const fixture of FRONTEND_FIXTURES) {
    it(`${fixture.name} serializes to the documented bytes and parses back`, () => {
      expect(encodeFrontend(fixture.message).toString('hex')).toBe(fixture.bytes.toString('hex'));
      expect(parseFrontend([fixture.bytes], STARTUP_TYPES.has(fixture.message.type))).toEqual([fixture.message]);
    });
  }
});

describe('backend messages: byte fixtures', () => {
  for (const fixture of BACKEND_FIXTURES) {
    it(`${fixture.name} serializes to the documented bytes and parses back`, () => {
      expect(encodeBackend(fixture.message).toString('hex')).toBe(fixture.bytes.toString('hex'));
      expect(parseBackend([fixture.bytes])).toEqual([fixture.message]);
    });
  }
});

describe('authentication bodies', () => {
  it('reads PasswordMessage and SASLInitialResponse', () => {
    expect(decodePasswordMessage(Buffer.from('secret\0'))).toBe('secret');
    const initial = { mechanism: 'SCRAM-SHA-256', response: Buffer.from('n,,n=,r=abc') };
    expect(decodeSaslInitialResponse(encodeSaslInitialResponse(initial))).toEqual(initial);
    expect(decodeSaslInitialResponse(encodeSaslInitialResponse({ mechanism: 'X', response: null }))).toEqual({ mechanism: 'X', response: null });
  });
});

describe('the framer', () => {
  const stream = Buffer.concat(BACKEND_FIXTURES.map((fixture) => fixture.bytes));

  it('finds the same messages however the bytes are split', () => {
    const whole = parseBackend([stream]);
    for (let cut = 1; cut < stream.length; cut += 7) {
      expect(parseBackend([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    expect(parseBackend([...stream].map((byte) => Buffer.from([byte])))).toEqual(whole);
  });

  it('switches from the startup phase to typed messages', () => {
    const framer = new MessageFramer({ startupPhase: true });
    const seen: string[] = [];
    const bytes = Buffer.concat([FRONTEND_FIXTURES[1]!.bytes, FRONTEND_FIXTURES[0]!.bytes, encodeFrontend({ type: 'query', sql: 'SELECT 1' })]);
    framer.push(bytes, (code, buffer, _frame, body, end) => {
      const message = code === 0 ? decodeStartupFrame(buffer, body, end) : decodeFrontend(code, buffer, body, end);
      seen.push(message.type);
      if (message.type === 'startup') framer.setStartupPhase(false);
    });
    expect(seen).toEqual(['sslRequest', 'startup', 'query']);
  });

  it('refuses impossible and oversized lengths', () => {
    const framer = new MessageFramer({ maxMessageBytes: 1024 });
    const tooLong = Buffer.from([0x51, 0x00, 0x01, 0x00, 0x00]);
    expect(() => framer.push(tooLong, () => undefined)).toThrow(/exceeds the limit of 1024/);
    const negative = Buffer.from([0x51, 0x80, 0x00, 0x00, 0x00]);
    expect(() => new MessageFramer().push(negative, () => undefined)).toThrow(ProtocolError);
    const twoToThe31 = Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff]);
    expect(() => new MessageFramer().push(twoToThe31, () => undefined)).toThrow(/exceeds the limit/);
    expect(() => new MessageFramer().push(Buffer.from([0x51, 0, 0, 0, 3]), () => undefined)).toThrow(/invalid message length 3/);
  });

  it('grows its buffer ahead only while allowed, never past the frame', () => {
    const frame = encodeFrontend({ type: 'copyData', data: Buffer.alloc(60_000, 0x61) });
    const feed = (framer: MessageFramer) => {
      const sizes: number[] = [];
      for (let at = 0; at < frame.length - 1000; at += 1000) {
        framer.push(frame.subarray(at, at + 1000), () => undefined);
        sizes.push(framer.retained);
      }
      return sizes;
    };
    const ahead = new MessageFramer();
    const grown = feed(ahead);
    expect(Math.max(...grown)).toBe(frame.length); // doubling, capped at the frame's end
    expect(new Set(grown).size).toBeLessThan(10); // few reallocations, so few copies
    const tight = new MessageFramer({ mayGrow: () => false });
    const exact = feed(tight);
    expect(exact.at(-1)).toBe(tight.buffered); // not allowed ahead: exactly what came
    let frames = 0;
    tight.push(frame.subarray(tight.buffered), () => frames++);
    expect(frames).toBe(1);
    expect(tight.buffered).toBe(0);
  });

  it('gathers a large frame as its chunks and joins them once: it holds exactly what came, and the whole frame is stable', () => {
    const big = encodeFrontend({ type: 'copyData', data: Buffer.alloc(200_000, 0x62) });
    const next = encodeFrontend({ type: 'query', sql: 'SELECT 1' });
    const bytes = Buffer.concat([encodeFrontend({ type: 'sync' }), big, next]);
    const framer = new MessageFramer({ mayGrow: () => true });
    const seen: Array<{ code: number; length: number; stable: boolean; body: Buffer }> = [];
    const onFrame = (code: number, buffer: Buffer, start: number, body: number, end: number, stable: boolean) =>
      seen.push({ code, length: end - start, stable, body: Buffer.from(buffer.subarray(body, end)) });
    let at = 0;
    for (const size of [3, 700, 65_536, 40_000, 90_000]) {
      framer.push(bytes.subarray(at, at + size), onFrame);
      at += size;
      expect(framer.retained - framer.buffered).toBeLessThanOrEqual(4096); // no buffer grown ahead of the bytes, beyond the small reusable one
    }
    expect(seen.map((frame) => frame.code)).toEqual([0x53]);
    framer.push(bytes.subarray(at), onFrame); // the end of the large frame and the whole next one
    expect(seen.map((frame) => frame.code)).toEqual([0x53, 0x64, 0x51]);
    expect(seen[1]!.length).toBe(big.length);
    expect(seen[1]!.stable).toBe(true);
    expect(seen[1]!.body.equals(big.subarray(5))).toBe(true);
    expect(framer.buffered).toBe(0);
    expect(framer.retained).toBeLessThanOrEqual(4096); // the small reusable buffer only
  });

  it('finds the same messages however a stream with large ones is split', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 12 }), (sizes, cuts) => {
      const messages = sizes.flatMap((size, i) => [{ type: 'copyData' as const, data: Buffer.alloc(size, 0x61 + i) }, { type: 'sync' as const }]);
      const stream = Buffer.concat(messages.map(encodeFrontend));
      const points = [...new Set(cuts.map((cut) => cut % stream.length))].sort((a, b) => a - b);
      const chunks = [0, ...points].map((from, i) => stream.subarray(from, [...points, stream.length][i]));
      const parsed = parseFrontend(chunks.filter((chunk) => chunk.length > 0), false);
      // Compared as bytes: a deep compare of buffers this large takes seconds.
      expect(parsed.map((message) => message.type)).toEqual(messages.map((message) => message.type));
      expect(Buffer.concat(parsed.map((message) => encodeFrontend(message))).equals(stream)).toBe(true);
    }), { numRuns: 60 });
  });

  it('waits for the rest of a truncated message', () => {
    const framer = new MessageFramer();
    const bytes = encodeBackend({ type: 'commandComplete', tag: 'SELECT 1' });
    let frames = 0;
    framer.push(bytes.subarray(0, bytes.length - 1), () => frames++);
    expect(frames).toBe(0);
    expect(framer.buffered).toBe(bytes.length - 1);
    framer.push(bytes.subarray(bytes.length - 1), () => frames++);
    expect(frames).toBe(1);
  });
});

describe('property: parse(serialize(m)) == m', () => {
  it('holds for every frontend message', () => {
    fc.assert(fc.property(fc.array(frontendMessage, { minLength: 1, maxLength: 8 }), fc.nat(), (messages, cut) => {
      const stream = Buffer.concat(messages.map(encodeFrontend));
      const at = cut % (stream.length + 1);
      expect(parseFrontend([stream.subarray(0, at), stream.subarray(at)], false)).toEqual(messages);
    }));
  });

  it('holds for every startup-phase message', () => {
    fc.assert(fc.property(startupMessage, (message) => {
      expect(parseFrontend([encodeFrontend(message)], true)).toEqual([message]);
    }));
  });

  it('holds for every backend message', () => {
    fc.assert(fc.property(fc.array(backendMessage, { minLength: 1, maxLength: 8 }), fc.nat(), (messages, cut) => {
      const stream = Buffer.concat(messages.map(encodeBackend));
      const at = cut % (stream.length + 1);
      expect(parseBackend([stream.subarray(0, at), stream.subarray(at)])).toEqual(messages);
    }));
  });
});

describe('fuzz: random and truncated bytes', () => {
  it('either decode or raise ProtocolError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (random, startup) => {
        try {
          parseFrontend([Buffer.from(random)], startup);
          parseBackend([Buffer.from(random)]);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('valid messages with a corrupted byte fail cleanly', () => {
    fc.assert(
      fc.property(frontendMessage, fc.nat(), fc.integer({ min: 0, max: 255 }), (message, position, value) => {
        const bytes = Buffer.from(encodeFrontend(message));
        bytes[position % bytes.length] = value;
        try {
          parseFrontend([bytes], false);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 5_000 },
    );
  });
});
