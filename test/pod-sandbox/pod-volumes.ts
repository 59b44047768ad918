/**
 * Volumes as the kubelet makes them. ConfigMaps and Secrets are written the way its atomic
 * writer does (a timestamped directory, `..data` pointing at it, each key a symlink through
 * `..data`), so a reader that follows symlinks sees a change as one swap. Persistent volumes
 * outlive their pod; emptyDirs do not. A pod's fsGroup is applied the way the kubelet applies
 * it (every file's group set to it, group read/write added, setgid on directories), on every
 * mount with `Always` and only when the volume's root does not match with `OnRootMismatch`.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from './terraform-values';

const SETGID = 0o2000;
const READ_WRITE = 0o660;
const EXECUTE = 0o110;

/** Writes `data` as a projected volume at `dir`, replacing what was there in one rename. */
export function writeProjectedVolume(dir: string, data: Record<string, string>, mode: number, fsGroup: number | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.hrtime.bigint()}`;
  const target = join(dir, stamp);
  mkdirSync(target, { mode: 0o755 });
  for (const [key, value] of Object.entries(data)) {
    const file = join(target, key);
    writeFileSync(file, value);
    chmodSync(file, fsGroup === undefined ? mode : mode | (mode & 0o400 ? 0o040 : 0));
    if (fsGroup !== undefined) chownSync(file, 0, fsGroup);
  }
  if (fsGroup !== undefined) chownSync(target, 0, fsGroup);
  const link = join(dir, '..data_tmp');
  rmSync(link, { force: true });
  symlinkSync(stamp, link);
  renameSync(link, join(dir, '..data'));
  for (const key of Object.keys(data)) {
    if (!existsSync(join(dir, key))) symlinkSync(join('..data', key), join(dir, key));
  }
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('..') && entry !== '..data' && entry !== stamp) rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

/** The kubelet's SetVolumeOwnership for a writable volume (a persistent volume or an emptyDir). */
export function applyFsGroup(dir: string, fsGroup: number | undefined, policy: string | undefined): void {
  if (fsGroup === undefined) return;
  if (policy === 'OnRootMismatch' && rootMatches(dir, fsGroup)) return;
  walk(dir, (path, isDirectory) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    chownSync(path, stat.uid, fsGroup);
    const mask = isDirectory ? READ_WRITE | EXECUTE | SETGID : READ_WRITE;
    chmodSync(path, (stat.mode & 0o7777) | mask);
  });
}

function rootMatches(dir: string, fsGroup: number): boolean {
  const stat = lstatSync(dir);
  const mask = READ_WRITE | EXECUTE | SETGID;
  return stat.gid === fsGroup && (stat.mode & mask) === mask;
}

function walk(path: string, visit: (path: string, isDirectory: boolean) => void): void {
  const stat = lstatSync(path);
  visit(path, stat.isDirectory());
  if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry), visit);
}

/** The projected data of a ConfigMap or Secret volume, with `items` when the volume picks keys. */
export function projectedData(source: Json, data: Record<string, string>): Record<string, string> {
  const items: { key: string; path: string }[] | undefined = source.items;
  if (!items?.length) return data;
  return Object.fromEntries(items.map((item) => [item.path, data[item.key] ?? '']));
}

export function octal(mode: string | number | undefined, fallback: number): number {
  if (mode === undefined) return fallback;
  return typeof mode === 'number' ? mode : parseInt(mode, 8);
}

/** An empty directory the pod's containers share, world-writable as the kubelet makes it. */
export function makeEmptyDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
}

/** A claim's directory, made once and kept across the pod's re-creations. */
export function makePersistentVolume(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
}

/** Kubernetes' default mode for ConfigMap and Secret volumes. */
export const PROJECTED_DEFAULT_MODE = 0o644;
