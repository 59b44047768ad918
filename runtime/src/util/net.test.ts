import { describe, expect, it } from 'vitest';
import { untilAborted } from './net';

describe('untilAborted', () => {
  it('settles as the promise does while the signal stays quiet', async () => {
    await expect(untilAborted(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('refused')), new AbortController().signal)).rejects.toThrow('refused');
  });

  it('rejects with the reason as soon as the signal aborts, though the promise never settles', async () => {
    const controller = new AbortController();
    const waiting = untilAborted(new Promise<never>(() => undefined), controller.signal);
    controller.abort(new Error('recruited into term 4'));
    await expect(waiting).rejects.toThrow('recruited into term 4');
    await expect(untilAborted(Promise.resolve(1), controller.signal)).rejects.toThrow('recruited into term 4');
  });
});
