import { describe, expect, it } from 'vitest';
import { lastLineOf } from './last-line-of';

describe('the last line of a program’s output', () => {
  it('keeps the last line that is not empty, across chunks, and the errors, whatever the exit code', async () => {
    const script = 'for i in $(seq 1 20000); do echo "line $i"; done; echo; echo "at the end" >&2; exit 1';
    expect(await lastLineOf('sh', ['-c', script])).toEqual({ lastLine: 'line 20000', stderr: 'at the end\n' });
    expect(await lastLineOf('sh', ['-c', 'printf "first\\nno newline"'])).toEqual({ lastLine: 'no newline', stderr: '' });
  });

  it('kills a program that runs past its time, and says so', async () => {
    await expect(lastLineOf('sleep', ['30'], {}, 200)).rejects.toThrow(/sleep did not finish within 200 ms/);
  });
});
