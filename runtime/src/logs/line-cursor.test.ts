import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineCursor } from './line-cursor';

const dirs: string[] = [];
const cursors: LineCursor[] = [];
afterEach(() => {
  for (const cursor of cursors.splice(0)) cursor.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function cursorOn(content: string | undefined, from: 'start' | 'end' = 'start'): { path: string; cursor: LineCursor } {
  const dir = mkdtempSync(join(tmpdir(), 'line-cursor-test-'));
  dirs.push(dir);
  const path = join(dir, 'a.log');
  if (content !== undefined) writeFileSync(path, content);
  const cursor = new LineCursor(path, from);
  cursors.push(cursor);
  return { path, cursor };
}

describe('LineCursor', () => {
  it('gives whole lines; a line still being written waits for its newline', () => {
    const { path, cursor } = cursorOn('one\ntwo\r\nthr');
    expect([...cursor.lines()]).toEqual(['one', 'two']);
    expect([...cursor.lines()]).toEqual([]);
    appendFileSync(path, 'ee\nfour');
    expect([...cursor.lines()]).toEqual(['three']);
    expect(cursor.rest()).toBe('four');
    expect(cursor.rest()).toBeUndefined();
  });

  it('reads a file larger than its buffer, with characters cut between reads', () => {
    const lines = Array.from({ length: 5000 }, (_, n) => `line ${n} ${'ü'.repeat(n % 50)}`);
    const { cursor } = cursorOn(`${lines.join('\n')}\n`);
    expect([...cursor.lines()]).toEqual(lines);
  });

  it('from the end skips what is there, and reads what comes', () => {
    const { path, cursor } = cursorOn('old\n', 'end');
    appendFileSync(path, 'new\n');
    expect([...cursor.lines()]).toEqual(['new']);
  });

  it('waits for a file that does not exist yet, then reads it whole', () => {
    const { path, cursor } = cursorOn(undefined, 'end');
    expect([...cursor.lines()]).toEqual([]);
    writeFileSync(path, 'first\n');
    expect([...cursor.lines()]).toEqual(['first']);
  });

  it('follows a rotation: the old file to its end (its unfinished line too), then the new one', () => {
    const { path, cursor } = cursorOn('a\n');
    expect([...cursor.lines()]).toEqual(['a']);
    appendFileSync(path, 'b\nc');
    renameSync(path, `${path}.1`);
    // Renamed, no new file yet: the writer may still be writing the old one.
    appendFileSync(`${path}.1`, 'c\nd\n');
    expect([...cursor.lines()]).toEqual(['b', 'cc', 'd']);
    appendFileSync(`${path}.1`, 'e\nunfinished');
    writeFileSync(path, 'f\n');
    expect([...cursor.lines()]).toEqual(['e', 'unfinished', 'f']);
    appendFileSync(path, 'g\n');
    expect([...cursor.lines()]).toEqual(['g']);
  });

  it('starts again from the top of a file truncated in place', () => {
    const { path, cursor } = cursorOn('long line one\nlong line two\n');
    expect([...cursor.lines()]).toHaveLength(2);
    writeFileSync(path, 'x\n');
    expect([...cursor.lines()]).toEqual(['x']);
  });

  it('loses nothing when a batch is left half-read', () => {
    const { cursor } = cursorOn('1\n2\n3\n');
    const batch = cursor.lines();
    expect(batch.next().value).toBe('1');
    batch.return(undefined);
    expect([...cursor.lines()]).toEqual(['2', '3']);
  });
});
