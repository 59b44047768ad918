/**
 * What a sandbox leaves when its process dies before `stop()` (a killed test run): its pods'
 * processes, network namespaces, links, nftables table, cgroups and files. Every one of them
 * carries the `pgsbx` prefix; this removes them all. Sandboxes run one at a time (the
 * integration suite runs its files one after another), so any found is a leftover.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CGROUP_ROOT, removeSandboxCgroups } from './container-process';
export const SANDBOX_FILES = '/var/tmp';

export async function removeSandboxLeftovers(): Promise<void> {
  for (const entry of safeList(CGROUP_ROOT)) {
    if (entry.startsWith('pgsbx-')) await removeSandboxCgroups(entry.slice('pgsbx-'.length));
  }
  for (const line of output('ip', ['netns', 'list'])) {
    const name = line.split(' ')[0]!;
    if (name.startsWith('pgsbx-')) run('ip', ['netns', 'del', name]);
  }
  for (const line of output('ip', ['-o', 'link', 'show'])) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name && /^(pgsbx[0-9a-f]{4}|ps[0-9a-f]{4}\d+)$/.test(name)) run('ip', ['link', 'del', name]);
  }
  for (const line of output('nft', ['list', 'tables'])) {
    const table = /^table ip (pgsbx[0-9a-f]{4})$/.exec(line)?.[1];
    if (table) run('nft', ['delete', 'table', 'ip', table]);
  }
  for (const entry of safeList(SANDBOX_FILES)) {
    if (entry.startsWith('polygres-sandbox-')) rmSync(join(SANDBOX_FILES, entry), { recursive: true, force: true });
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function output(command: string, args: string[]): string[] {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
}
