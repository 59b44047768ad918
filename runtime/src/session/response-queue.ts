/**
 * What the client is owed, in order. Every message sent to the server that produces a
 * response gets a slot; the server's messages are matched to slots in order and either
 * forwarded (the client's own requests), swallowed (the pooler's injected Parse, Close or
 * settings replay), or stand in for a response the pooler produces itself (a ParseComplete for
 * a statement the connection already has). This is what lets prepared statements be shared
 * and prepared lazily without the client ever noticing.
 */
import { BackendCode } from '../protocol/codes';
import type { FrameHandler } from '../protocol/framer';
import type { SessionEffect } from '../sql/effects';
import type { ClientFrame } from './client-frame';

/** The server message that completes a request. */
export type ResponseEnd = 'parse' | 'bind' | 'close' | 'describe' | 'execute' | 'ready';

export type Slot =
  | {
      readonly kind: 'forward' | 'swallow';
      readonly ends: ResponseEnd;
      /** Called with each completing message code (and the frame) the slot sees. */
      readonly onMessage?: (code: number, buffer: Buffer, bodyStart: number, end: number) => void;
      /** Called once the slot completes; `failed` when the server answered with an error. */
      readonly onDone?: (failed: boolean) => void;
      /** A simple Query's statements' session effects, taken one per CommandComplete. */
      readonly statementEffects?: (readonly SessionEffect[])[];
      /** The client's frame, kept while the server's error may still send it to another connection. */
      readonly retryable?: ClientFrame;
    }
  | { readonly kind: 'synthetic'; readonly bytes: Buffer; readonly onDone?: () => void };

/** Does `code` complete a request of kind `ends`? (An error completes any but `ready`.) */
export function completes(ends: ResponseEnd, code: number): boolean {
  switch (ends) {
    case 'parse':
      return code === BackendCode.ParseComplete;
    case 'bind':
      return code === BackendCode.BindComplete;
    case 'close':
      return code === BackendCode.CloseComplete;
    case 'describe':
      return code === BackendCode.RowDescription || code === BackendCode.NoData;
    case 'execute':
      return code === BackendCode.CommandComplete || code === BackendCode.EmptyQueryResponse || code === BackendCode.PortalSuspended;
    case 'ready':
      return code === BackendCode.ReadyForQuery;
  }
}

export class ResponseQueue {
  private readonly slots: Slot[] = [];

  get length(): number {
    return this.slots.length;
  }

  get head(): Slot | undefined {
    return this.slots[0];
  }

  push(slot: Slot): void {
    this.slots.push(slot);
  }

  /** How many ReadyForQuery messages the server still owes (one per simple Query or Sync sent). */
  readyCount(): number {
    let count = 0;
    for (const slot of this.slots) if (slot.kind !== 'synthetic' && slot.ends === 'ready') count += 1;
    return count;
  }

  /** Puts `slot` in the place of the head (which the server is answering now). */
  replaceHead(slot: Slot): void {
    this.slots[0] = slot;
  }

  shift(): Slot | undefined {
    return this.slots.shift();
  }

  /**
   * After an error in the extended protocol the server skips everything up to the next Sync:
   * drop those slots (their synthetic answers must not be sent either) and tell each it failed.
   */
  dropUntilReady(): void {
    while (this.slots.length > 0) {
      const slot = this.slots[0]!;
      if (slot.kind !== 'synthetic' && slot.ends === 'ready') return;
      this.slots.shift();
      if (slot.kind === 'synthetic') continue;
      slot.onDone?.(true);
    }
  }

  clear(): void {
    this.slots.length = 0;
  }

  /** What is owed, for a log line: kind and end of each slot ("forward:ready", "synthetic"...). */
  describe(): string[] {
    return this.slots.map((slot) => (slot.kind === 'synthetic' ? 'synthetic' : `${slot.kind}:${slot.ends}`));
  }
}

/**
 * A frame handler that waits out `count` cycles (ReadyForQuery each: the reset, the replay and
 * the statement a session had sent), then calls `done`.
 */
export function afterReadies(count: number, done: () => void): FrameHandler {
  let left = count;
  return (code) => {
    if (code === BackendCode.ReadyForQuery && --left === 0) done();
  };
}
