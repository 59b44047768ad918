/**
 * Port blocks for tests that run concurrently, even across separate test runs: a block is
 * claimed by creating a lock file atomically, and only if every port in it can be bound.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canBind } from '../../runtime/src/util/net';
import { isAlive, readPidFile } from '../../runtime/src/util/processes';

const LOCK_DIR = join(tmpdir(), 'polygres-test-ports');
// Below Linux's ephemeral range (32768-60999), so no client socket takes a cluster's port.
const FIRST = 20_000;
const LAST = 32_700;
export const BLOCK_SIZE = 100;

export interface PortBlock {
  readonly base: number;
  release(): void;
}

export async function claimPortBlock(): Promise<PortBlock> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const blocks = (LAST - FIRST) / BLOCK_SIZE;
  const start = Math.floor(Math.random() * blocks);
  for (let i = 0; i < blocks; i++) {
    const base = FIRST + ((start + i) % blocks) * BLOCK_SIZE;
    const lock = join(LOCK_DIR, `${base}.lock`);
    if (!takeLock(lock)) continue;
    if (await allFree(base)) return { base, release: () => rmSync(lock, { force: true }) };
    rmSync(lock, { force: true });
  }
  throw new Error('no free block of test ports');
}

function takeLock(lock: string): boolean {
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch {
    // A lock left by a test process that died may be taken over.
    const owner = readPidFile(lock);
    if (owner !== undefined && isAlive(owner)) return false;
    rmSync(lock, { force: true });
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch {
      return false;
    }
  }
}

async function allFree(base: number): Promise<boolean> {
  for (let port = base; port < base + BLOCK_SIZE; port++) {
    if (!(await canBind('127.0.0.1', port))) return false;
  }
  return true;
}
