import { describe, expect, it } from 'vitest';
import { parseLogLine } from './log-line';
import type { LogSource } from './log-record';

const source = (service: LogSource['service'], identity: string[] = []): LogSource => ({ service, source: service, file: '/dev/null', names: [service], identity });
const pooler = source('pooler', ['zone-a-0', 'pooler-zone-a-0']);

describe('parseLogLine', () => {
  it('reads a service line (pino), leaving out who wrote it and flattening an error to its message', () => {
    const line = JSON.stringify({ level: 40, time: 1796142068105, component: 'pooler', instance: 'zone-a-0', term: 3, err: { type: 'Error', message: 'connection refused', stack: 'Error: connection refused\n    at x' }, msg: 'converging postgres failed; will retry' });
    expect(parseLogLine(line, pooler)).toEqual({ time: 1796142068105, level: 'warn', msg: 'converging postgres failed; will retry', fields: { term: 3, err: 'connection refused' } });
  });

  it('keeps a field that names someone else (an orchestrator speaking of an instance)', () => {
    const line = JSON.stringify({ level: 30, time: 1, component: 'orchestrator', name: 'orchestrator-zone-a', instance: 'zone-b-0', msg: 'recruited' });
    const orchestrator = source('orchestrator', ['zone-a', 'orchestrator-zone-a']);
    expect(parseLogLine(line, orchestrator).fields).toEqual({ instance: 'zone-b-0' });
  });

  it("reads etcd's zap lines: ISO time, named level, caller kept", () => {
    const line = '{"level":"warn","ts":"2026-12-01T16:21:05.190Z","caller":"auth/store.go:1380","msg":"simple token is not cryptographically signed"}';
    expect(parseLogLine(line, source('etcd'))).toEqual({
      time: Date.parse('2026-12-01T16:21:05.190Z'),
      level: 'warn',
      msg: 'simple token is not cryptographically signed',
      fields: { caller: 'auth/store.go:1380' },
    });
    expect(parseLogLine('{"level":"dpanic","ts":1796142068.5,"msg":"x"}', source('etcd'))).toMatchObject({ time: 1796142068500, level: 'fatal' });
  });

  it("reads the supervisor's lines, and those it wrote before it logged with pino", () => {
    const now = JSON.stringify({ level: 40, time: 5, component: 'supervisor', type: 'exit', name: 'etcd', exit: { code: 1, signal: null }, restartInMs: 250, msg: 'etcd exited with code 1; restarting in 250 ms' });
    expect(parseLogLine(now, source('supervisor'))).toEqual({ time: 5, level: 'warn', msg: 'etcd exited with code 1; restarting in 250 ms', fields: { type: 'exit', name: 'etcd', exit: { code: 1, signal: null }, restartInMs: 250 } });
    const before = '{"time":"2026-12-01T16:21:05.141Z","type":"spawn","name":"etcd","pid":24741}';
    expect(parseLogLine(before, source('supervisor'))).toEqual({ time: Date.parse('2026-12-01T16:21:05.141Z'), level: 'info', msg: '', fields: { type: 'spawn', name: 'etcd', pid: 24741 } });
  });

  it('keeps a line that is no JSON (a stack trace) as its text, with no time of its own', () => {
    expect(parseLogLine('    at Object.<anonymous> (/x.js:1:1)', pooler)).toEqual({ msg: '    at Object.<anonymous> (/x.js:1:1)', fields: {} });
    expect(parseLogLine('{"half": ', pooler)).toEqual({ msg: '{"half": ', fields: {} });
    expect(parseLogLine('[1, 2]', pooler)).toEqual({ msg: '[1, 2]', fields: {} });
  });
});

describe('parseLogLine for Postgres', () => {
  const postgres = source('postgres');

  it('reads a server line and a session line', () => {
    expect(parseLogLine('2026-12-01 16:21:09.623 UTC [25096] LOG:  listening on IPv4 address "127.0.0.1", port 33314', postgres)).toEqual({
      time: Date.parse('2026-12-01T16:21:09.623Z'),
      level: 'info',
      msg: 'listening on IPv4 address "127.0.0.1", port 33314',
      fields: { pid: 25096 },
    });
    expect(parseLogLine('2026-12-01 16:21:09.814 UTC [25103] postgres@postgres ERROR:  relation "polygres.rule_history" does not exist at character 855', postgres)).toEqual({
      time: Date.parse('2026-12-01T16:21:09.814Z'),
      level: 'error',
      msg: 'relation "polygres.rule_history" does not exist at character 855',
      fields: { pid: 25103, user: 'postgres', db: 'postgres' },
    });
    expect(parseLogLine('2026-12-01 16:21:25.468 UTC [25100] FATAL:  terminating walreceiver process due to administrator command', postgres)).toMatchObject({ level: 'fatal' });
    expect(parseLogLine('2026-12-01 16:21:25.468 UTC [25101] replicator@ WARNING:  x', postgres)).toMatchObject({ level: 'warn', fields: { pid: 25101, user: 'replicator' } });
  });

  it('gives a STATEMENT no level of its own (it is the error\'s), and a statement\'s next lines none at all', () => {
    expect(parseLogLine('2026-12-01 16:21:09.814 UTC [25103] postgres@postgres STATEMENT:  ', postgres)).toEqual({
      time: Date.parse('2026-12-01T16:21:09.814Z'),
      msg: 'STATEMENT: ',
      fields: { pid: 25103, user: 'postgres', db: 'postgres' },
    });
    expect(parseLogLine('\tSELECT pg_is_in_recovery() AS in_recovery,', postgres)).toEqual({ msg: '\tSELECT pg_is_in_recovery() AS in_recovery,', fields: {} });
  });

  it('reads a time in another zone when log_timezone is set to one', () => {
    expect(parseLogLine('2026-12-01 18:21:09.623 +02 [1] LOG:  x', postgres).time).toBe(Date.parse('2026-12-01T16:21:09.623Z'));
    expect(parseLogLine('2026-12-01 21:51:09.623 +0530 [1] LOG:  x', postgres).time).toBe(Date.parse('2026-12-01T16:21:09.623Z'));
    expect(parseLogLine('2026-12-01 11:21:09.623 EST [1] LOG:  x', postgres).time).toBe(Date.parse('2026-12-01T16:21:09.623Z'));
    expect(parseLogLine('2026-12-01 11:21:09.623 NOWHERE [1] LOG:  x', postgres).time).toBeUndefined();
  });
});
