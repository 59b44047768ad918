import { describe, expect, it } from 'vitest';
import { formatLogJson, formatLogText } from './format-log-record';
import type { LogRecord } from './log-record';

const record: LogRecord = {
  time: Date.parse('2026-12-01T21:30:11.123Z'),
  level: 'info',
  service: 'gateway',
  source: 'gateway/zone-a',
  msg: 'gateway listening',
  fields: { port: 15432, tls: true, colocated: ['zone-a-0'], note: 'two words', path: '/a=b' },
};

describe('formatLogText', () => {
  it('writes time, level, source, message and the fields on one line', () => {
    expect(formatLogText(record, 20)).toBe(
      '2026-12-01T21:30:11.123Z  INFO   gateway/zone-a        gateway listening  port=15432 tls=true colocated=["zone-a-0"] note="two words" path="/a=b"',
    );
  });

  it('keeps a message or a field with line breaks on one line', () => {
    const text = formatLogText({ ...record, level: 'error', msg: 'first\nsecond', fields: { err: 'a\nb' } });
    expect(text).toBe('2026-12-01T21:30:11.123Z  ERROR  gateway/zone-a  first\\nsecond  err="a\\nb"');
    expect(text.split('\n')).toHaveLength(1);
  });

  it('writes no field separator when there are no fields', () => {
    expect(formatLogText({ ...record, fields: {} })).toBe('2026-12-01T21:30:11.123Z  INFO   gateway/zone-a  gateway listening');
  });
});

describe('formatLogJson', () => {
  it('writes the shape first, then the fields; a field cannot replace the shape', () => {
    const json = formatLogJson({ ...record, fields: { port: 1, source: 'spoofed' } });
    expect(json).toBe('{"time":"2026-12-01T21:30:11.123Z","level":"info","service":"gateway","source":"gateway/zone-a","msg":"gateway listening","port":1}');
  });
});
