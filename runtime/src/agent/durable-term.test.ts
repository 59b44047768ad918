import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../util/log';
import { DurableTerm } from './durable-term';

describe('a term kept on disk', () => {
  const dirs: string[] = [];
  const dir = () => {
    const made = mkdtempSync(join(tmpdir(), 'durable-term-'));
    dirs.push(made);
    return made;
  };
  afterEach(() => {
    for (const made of dirs.splice(0)) rmSync(made, { recursive: true, force: true });
  });

  it('only grows, and a process started later reads the highest (a pooler restarted while its Postgres is down still knows its rule term)', () => {
    const file = join(dir(), 'rule-term');
    const term = new DurableTerm(file);
    expect(term.current).toBe(0);
    expect(term.raiseTo(5)).toBe(true);
    expect(term.raiseTo(3)).toBe(false);
    expect(new DurableTerm(file).current).toBe(5);
    expect(readFileSync(file, 'utf8')).toBe('5\n');
  });

  it('takes the highest of its file and the files where earlier versions kept it', () => {
    const root = dir();
    writeFileSync(join(root, 'old'), '9\n');
    expect(new DurableTerm(join(root, 'accepted-term'), [join(root, 'old'), join(root, 'missing')]).current).toBe(9);
  });

  it('logs a write it could not make instead of throwing, and keeps the term it had', () => {
    const root = dir();
    writeFileSync(join(root, 'not-a-directory'), '');
    const term = new DurableTerm(join(root, 'not-a-directory', 'rule-term'));
    const lines: string[] = [];
    const log = createLogger('test', {}, { write: (line: string) => void lines.push(line) });
    term.tryRaiseTo(4, log);
    expect(term.current).toBe(0);
    expect(lines.join('')).toContain('could not keep the term on disk');
  });
});
