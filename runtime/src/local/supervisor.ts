/**
 * Keeps a set of child processes running: starts them, restarts any that exits (with
 * back-off), and reports every exit — as an event, in the log and in the state file that
 * `polygres status` reads — so a crash is never silent. Stops them in reverse start order.
 *
 * It owns the children's output: their stdout and stderr come through pipes, and it writes
 * them to each child's log a whole line at a time, rotating the file by size without the child
 * knowing. A supervisor killed outright takes the pipes with it: the services' loggers then
 * stop writing (etcd, a Go program, exits at its next line), and `polygres down` stops what
 * is left by pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { renameSync, writeFileSync } from 'node:fs';
import { pipeLines } from '../logs/pipe-lines';
import { type RotationPolicy, RotatingFile } from '../logs/rotating-file';
import { removeFile, terminate, writePidFile } from '../util/processes';
import { serviceEnvironment } from '../util/service-environment';
import { type OsUser, asUser } from '../util/os-account';

export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Run as this account (the supervisor must be root to switch); as the supervisor's own otherwise. */
  readonly user?: OsUser;
  /** stdout and stderr are appended here a whole line at a time; it rotates by size (logs/rotating-file.ts). */
  readonly logFile: string;
  readonly pidFile: string;
  /** Children stop in descending group order; within a group, together. */
  readonly stopGroup: number;
  /** How long a child may take to stop on SIGTERM before SIGKILL. */
  readonly stopGraceMs?: number;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: string;
}

export interface ChildState {
  readonly name: string;
  readonly pid: number | null;
  readonly running: boolean;
  readonly restarts: number;
  readonly lastExit: ChildExit | null;
}

export type SupervisorEvent =
  | { readonly type: 'spawn'; readonly name: string; readonly pid: number }
  | { readonly type: 'exit'; readonly name: string; readonly exit: ChildExit; readonly restartInMs: number | null }
  | { readonly type: 'spawn-error'; readonly name: string; readonly message: string };

export interface SupervisorOptions {
  /** Where the children's states are written on every change (JSON). */
  readonly stateFile?: string;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A child that ran this long before exiting restarts without back-off. */
  readonly stableAfterMs?: number;
  /** When the children's logs rotate (default: LOG_ROTATION). */
  readonly logRotation?: RotationPolicy;
}

interface Tracked {
  readonly spec: ChildSpec;
  process: ChildProcess | undefined;
  restarts: number;
  backoffMs: number;
  startedAt: number;
  lastExit: ChildExit | null;
  restartTimer: NodeJS.Timeout | undefined;
  /** Removed from the cluster: not restarted when it exits. */
  stopped: boolean;
}

export class Supervisor extends EventEmitter<{ event: [SupervisorEvent] }> {
  private children: Tracked[];
  private stopping = false;

  constructor(specs: readonly ChildSpec[], private readonly options: SupervisorOptions = {}) {
    super();
    this.children = specs.map((spec) => ({
      spec,
      process: undefined,
      restarts: 0,
      backoffMs: this.initialBackoff,
      startedAt: 0,
      lastExit: null,
      restartTimer: undefined,
      stopped: false,
    }));
  }

  start(): void {
    for (const child of this.children) this.spawnChild(child);
  }

  /**
   * The children a changed layout names (polygres apply adding or removing an instance): new
   * ones start, those no longer named stop and are forgotten; the rest are left alone.
   */
  async reconcile(specs: readonly ChildSpec[]): Promise<void> {
    if (this.stopping) return;
    const names = new Set(specs.map((spec) => spec.name));
    const leaving = this.children.filter((child) => !names.has(child.spec.name));
    // Listed until they have exited: the state file, which `polygres apply` waits on, is written
    // at every exit, and must not say a child is gone while it still runs (and holds its port).
    for (const child of leaving) {
      clearTimeout(child.restartTimer);
      child.stopped = true;
    }
    for (const child of leaving) await this.stopChild(child);
    this.children = this.children.filter((child) => !leaving.includes(child));
    for (const spec of specs) {
      if (leaving.some((child) => child.spec.name === spec.name) || this.children.some((child) => child.spec.name === spec.name)) continue;
      const child: Tracked = { spec, process: undefined, restarts: 0, backoffMs: this.initialBackoff, startedAt: 0, lastExit: null, restartTimer: undefined, stopped: false };
      this.children.push(child);
      this.spawnChild(child);
    }
    this.writeState();
  }

  states(): ChildState[] {
    return this.children.map((child) => ({
      name: child.spec.name,
      pid: child.process?.pid ?? null,
      running: child.process !== undefined,
      restarts: child.restarts,
      lastExit: child.lastExit,
    }));
  }

  /** Stops every child: groups in descending order, SIGTERM then SIGKILL after the grace. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const child of this.children) clearTimeout(child.restartTimer);
    const groups = [...new Set(this.children.map((child) => child.spec.stopGroup))].sort((a, b) => b - a);
    for (const group of groups) {
      await Promise.all(
        this.children
          .filter((child) => child.spec.stopGroup === group && child.process?.pid !== undefined)
          .map((child) => this.stopChild(child)),
      );
    }
    this.writeState();
  }

  private get initialBackoff(): number {
    return this.options.initialBackoffMs ?? 250;
  }

  private spawnChild(child: Tracked): void {
    if (this.stopping) return;
    // Through pipes rather than the file itself, so that the log can rotate under a running
    // child: the supervisor writes whole lines and starts a new file when one is full.
    const log = new RotatingFile(child.spec.logFile, this.options.logRotation);
    const proc = spawn(child.spec.command, child.spec.args, {
      ...asUser(child.spec.user),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: serviceEnvironment(child.spec.env),
    });
    for (const output of [proc.stdout, proc.stderr]) if (output) pipeLines(output, log);
    child.process = proc;
    child.startedAt = Date.now();
    proc.once('error', (error) => {
      // Spawn failures (missing binary) arrive here and are followed by 'exit' only sometimes.
      this.emit('event', { type: 'spawn-error', name: child.spec.name, message: error.message });
      if (child.process === proc) this.onExit(child, proc, null, null);
    });
    proc.once('exit', (code, signal) => this.onExit(child, proc, code, signal));
    if (proc.pid !== undefined) {
      writePidFile(child.spec.pidFile, proc.pid);
      this.emit('event', { type: 'spawn', name: child.spec.name, pid: proc.pid });
    }
    this.writeState();
  }

  private onExit(child: Tracked, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child.process !== proc) return;
    child.process = undefined;
    removeFile(child.spec.pidFile);
    const exit = { code, signal, at: new Date().toISOString() };
    child.lastExit = exit;
    let restartInMs: number | null = null;
    if (!this.stopping && !child.stopped) {
      const ranFor = Date.now() - child.startedAt;
      if (ranFor >= (this.options.stableAfterMs ?? 30_000)) child.backoffMs = this.initialBackoff;
      restartInMs = child.backoffMs;
      child.backoffMs = Math.min(child.backoffMs * 2, this.options.maxBackoffMs ?? 5_000);
      child.restarts += 1;
      child.restartTimer = setTimeout(() => this.spawnChild(child), restartInMs);
    }
    this.emit('event', { type: 'exit', name: child.spec.name, exit, restartInMs });
    this.writeState();
  }

  private async stopChild(child: Tracked): Promise<void> {
    const proc = child.process;
    if (!proc || proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    await terminate(proc.pid, child.spec.stopGraceMs ?? 10_000);
    await exited;
  }

  private writeState(): void {
    const file = this.options.stateFile;
    if (!file) return;
    // Write then rename, so a reader never sees half a file.
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ pid: process.pid, children: this.states() }, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  }
}
