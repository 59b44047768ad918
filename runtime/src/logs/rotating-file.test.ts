import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pipeLines } from './pipe-lines';
import { RotatingFile, rotatedPredecessors, shiftRotated } from './rotating-file';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rotating-file-test-'));
  dirs.push(dir);
  return dir;
}

/** Every line of the file and its predecessors, oldest first. */
function allLines(path: string): string[] {
  return [...rotatedPredecessors(path), path].flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(0, -1));
}

describe('RotatingFile', () => {
  it('starts a new file before one would pass the size, keeps `keep` predecessors, and splits no line', () => {
    const path = join(tempDir(), 'service.log');
    const file = new RotatingFile(path, { maxBytes: 1000, keep: 3 });
    const lines = Array.from({ length: 200 }, (_, n) => `{"n":${n},"pad":"${'x'.repeat(n % 37)}"}`);
    for (const line of lines) file.write(`${line}\n`);
    expect(readdirSync(join(path, '..')).sort()).toEqual(['service.log', 'service.log.1', 'service.log.2', 'service.log.3']);
    for (const name of [path, ...rotatedPredecessors(path)]) {
      expect(statSync(name).size).toBeLessThanOrEqual(1000);
      expect(readFileSync(name, 'utf8').endsWith('\n')).toBe(true);
    }
    // The oldest went; what is kept is the newest lines, each whole, in order.
    const kept = allLines(path);
    expect(kept).toEqual(lines.slice(lines.length - kept.length));
    expect(kept.length).toBeGreaterThan(50);
  });

  it('cuts a write of many lines at line ends, so that no file passes the size; a line longer than it is written whole', () => {
    const path = join(tempDir(), 'service.log');
    const file = new RotatingFile(path, { maxBytes: 1000, keep: 100 });
    const lines = Array.from({ length: 300 }, (_, n) => `line ${n} ${'y'.repeat(n % 41)}`);
    file.write('first\n');
    // One write of about 9 KiB, as a pipe hands over 64 KiB at a time.
    file.write(`${lines.join('\n')}\n`);
    const long = 'z'.repeat(2500);
    file.write(`${long}\nafter\n`);
    expect(allLines(path)).toEqual(['first', ...lines, long, 'after']);
    const files = [...rotatedPredecessors(path), path];
    for (const name of files) {
      const content = readFileSync(name, 'utf8');
      expect(content.endsWith('\n')).toBe(true);
      if (!content.includes(long)) expect(content.length).toBeLessThanOrEqual(1000);
    }
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('is made at once, empty, and rotates a file that was already over the size at its first write', () => {
    const path = join(tempDir(), 'service.log');
    writeFileSync(path, `${'old line\n'.repeat(200)}`);
    const file = new RotatingFile(path, { maxBytes: 1000, keep: 2 });
    expect(existsSync(path)).toBe(true);
    file.write('new line\n');
    expect(readFileSync(path, 'utf8')).toBe('new line\n');
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('old line\n'.repeat(200));
  });

  it("takes a child's two outputs in pieces of any size: every line once, whole, in each output's order", async () => {
    const path = join(tempDir(), 'child.log');
    const file = new RotatingFile(path, { maxBytes: 4096, keep: 1000 });
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    pipeLines(stdout, file);
    pipeLines(stderr, file);
    const lines = (name: string) => Array.from({ length: 500 }, (_, n) => `${name} line ${n} ${'é'.repeat(n % 13)}`);
    const text = (name: string) => Buffer.from(lines(name).map((line) => `${line}\n`).join(''));
    // Cut at arbitrary byte offsets (through lines, and through two-byte characters), interleaved.
    const [out, err] = [text('out'), text('err')];
    for (let at = 0, size = 1; at < Math.max(out.length, err.length); at += size, size = (size * 7) % 113 + 1) {
      if (at < out.length) stdout.write(out.subarray(at, at + size));
      if (at < err.length) stderr.write(err.subarray(at, at + size));
    }
    stdout.end('out last line without a newline');
    stderr.end();
    await new Promise((resolve) => setImmediate(resolve));
    const written = allLines(path);
    expect(written.filter((line) => line.startsWith('out'))).toEqual([...lines('out'), 'out last line without a newline']);
    expect(written.filter((line) => line.startsWith('err'))).toEqual(lines('err'));
    expect(written).toHaveLength(1001);
    expect(rotatedPredecessors(path).length).toBeGreaterThan(4);
  });
});

describe('shiftRotated', () => {
  it('renames the file to .1, shifts the others up and deletes the one past keep', () => {
    const dir = tempDir();
    const path = join(dir, 'a.log');
    for (const [name, content] of [['a.log', 'now'], ['a.log.1', 'one'], ['a.log.2', 'two']]) writeFileSync(join(dir, name!), content!);
    shiftRotated(path, 2);
    expect(readdirSync(dir).sort()).toEqual(['a.log.1', 'a.log.2']);
    expect([readFileSync(`${path}.1`, 'utf8'), readFileSync(`${path}.2`, 'utf8')]).toEqual(['now', 'one']);
    expect(rotatedPredecessors(path)).toEqual([`${path}.2`, `${path}.1`]);
  });
});
