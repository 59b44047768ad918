import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../util/net';
import { isAlive } from '../util/processes';
import { rotatedPredecessors } from '../logs/rotating-file';
import { type ChildSpec, Supervisor, type SupervisorEvent } from './supervisor';

const dirs: string[] = [];
const supervisors: Supervisor[] = [];

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function child(dir: string, name: string, script: string, stopGroup = 0): ChildSpec {
  return {
    name,
    command: process.execPath,
    args: ['-e', script],
    logFile: join(dir, `${name}.log`),
    pidFile: join(dir, `${name}.pid`),
    stopGroup,
    stopGraceMs: 2_000,
  };
}

function supervise(specs: (dir: string) => ChildSpec[], options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'supervisor-test-'));
  dirs.push(dir);
  const events: SupervisorEvent[] = [];
  const supervisor = new Supervisor(specs(dir), { stateFile: join(dir, 'state.json'), initialBackoffMs: 50, ...options });
  supervisor.on('event', (event) => events.push(event));
  supervisors.push(supervisor);
  supervisor.start();
  return { dir, events, supervisor };
}

const forever = 'setInterval(() => {}, 1000)';

describe('Supervisor', () => {
  it('matches a changed list of children: new ones start, removed ones stop for good, the rest run on', async () => {
    const { dir, events, supervisor } = supervise((d) => [child(d, 'stays', forever), child(d, 'leaves', forever)]);
    await waitFor('both running', () => (supervisor.states().every((s) => s.running) ? true : undefined), { timeoutMs: 10_000 });
    const stays = supervisor.states().find((s) => s.name === 'stays')!.pid;
    const leaves = supervisor.states().find((s) => s.name === 'leaves')!.pid!;
    await supervisor.reconcile([child(dir, 'stays', forever), child(dir, 'joins', forever)]);
    expect(supervisor.states().map((s) => s.name)).toEqual(['stays', 'joins']);
    expect(supervisor.states().find((s) => s.name === 'stays')!.pid).toBe(stays);
    expect(isAlive(leaves)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Stopped for good: no restart of the child that left.
    expect(events.filter((e) => e.type === 'spawn' && e.name === 'leaves')).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { children: { name: string }[] };
    expect(state.children.map((c) => c.name)).toEqual(['stays', 'joins']);
  });

  it('keeps a leaving child in the state file until it has exited, however long the others before it took', async () => {
    // The first to leave exits at once; the second holds on to SIGTERM for a while (a gateway closing its sessions).
    const slow = "process.on('SIGTERM', () => setTimeout(() => process.exit(0), 700)); setInterval(() => {}, 1000)";
    const { dir, supervisor } = supervise((d) => [child(d, 'stays', forever), child(d, 'quick', forever), child(d, 'slow', slow)]);
    await waitFor('all running', () => (supervisor.states().every((s) => s.running) ? true : undefined), { timeoutMs: 10_000 });
    const slowPid = supervisor.states().find((s) => s.name === 'slow')!.pid!;
    const listed = () => (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { children: { name: string }[] }).children.map((c) => c.name);
    const reconciled = supervisor.reconcile([child(dir, 'stays', forever)]);
    // Whenever the state file no longer names the slow child, it has exited.
    let sawItGoneWhileAlive = false;
    let done = false;
    void reconciled.then(() => (done = true));
    while (!done) {
      if (!listed().includes('slow') && isAlive(slowPid)) sawItGoneWhileAlive = true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(sawItGoneWhileAlive).toBe(false);
    expect(isAlive(slowPid)).toBe(false);
    expect(listed()).toEqual(['stays']);
  });

  it('reports a child that dies, restarts it, and records it in the state file', async () => {
    const { dir, events, supervisor } = supervise((d) => [child(d, 'steady', forever), child(d, 'flaky', 'process.exit(3)')]);
    await waitFor('two restarts', () => (supervisor.states().find((s) => s.name === 'flaky')!.restarts >= 2 ? true : undefined), { timeoutMs: 10_000 });
    const exits = events.filter((e) => e.type === 'exit');
    expect(exits[0]).toMatchObject({ type: 'exit', name: 'flaky', exit: { code: 3, signal: null } });
    expect(exits.every((e) => e.type === 'exit' && e.restartInMs !== null)).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { children: { name: string; restarts: number; lastExit: unknown }[] };
    const flaky = state.children.find((c) => c.name === 'flaky');
    expect(flaky?.restarts).toBeGreaterThanOrEqual(1);
    expect(flaky?.lastExit).toMatchObject({ code: 3 });
    expect(supervisor.states().find((s) => s.name === 'steady')).toMatchObject({ running: true, restarts: 0 });
  });

  it('backs off exponentially between restarts of a crashing child', async () => {
    const { events } = supervise((d) => [child(d, 'crash', 'process.exit(1)')], { maxBackoffMs: 400 });
    await waitFor('four exits', () => (events.filter((e) => e.type === 'exit').length >= 4 ? true : undefined), { timeoutMs: 10_000 });
    const delays = events.flatMap((e) => (e.type === 'exit' && e.restartInMs !== null ? [e.restartInMs] : []));
    expect(delays.slice(0, 4)).toEqual([50, 100, 200, 400]);
  });

  it('reports a child killed by a signal', async () => {
    const { events, supervisor } = supervise((d) => [child(d, 'victim', forever)]);
    const pid = await waitFor('pid', () => supervisor.states()[0]?.pid ?? undefined);
    process.kill(pid, 'SIGKILL');
    await waitFor('exit event', () => events.find((e) => e.type === 'exit'));
    expect(events.find((e) => e.type === 'exit')).toMatchObject({ name: 'victim', exit: { signal: 'SIGKILL' } });
    await waitFor('restart', () => (supervisor.states()[0]?.pid && supervisor.states()[0]?.pid !== pid ? true : undefined));
  });

  it("writes a child's output to its log a whole line at a time, rotating the log under the running child", async () => {
    // A third of the lines on stderr: both outputs go to the one log.
    const chatty = "for (let n = 0; n < 3000; n++) (n % 3 ? process.stdout : process.stderr).write('line ' + n + ' ' + 'x'.repeat(n % 50) + '\\n'); setInterval(() => {}, 1000)";
    const { dir, supervisor } = supervise((d) => [child(d, 'chatty', chatty)], { logRotation: { maxBytes: 16 * 1024, keep: 100 } });
    const log = join(dir, 'chatty.log');
    const lines = () => [...rotatedPredecessors(log), log].flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(0, -1));
    await waitFor('every line', () => (lines().length >= 3000 ? true : undefined), { timeoutMs: 20_000 });
    const expected = (output: (n: number) => boolean) => Array.from({ length: 3000 }, (_, n) => n).filter(output).map((n) => `line ${n} ${'x'.repeat(n % 50)}`);
    const written = lines();
    expect(written).toHaveLength(3000);
    expect(written.filter((line) => Number(line.split(' ')[1]) % 3 !== 0)).toEqual(expected((n) => n % 3 !== 0));
    expect(written.filter((line) => Number(line.split(' ')[1]) % 3 === 0)).toEqual(expected((n) => n % 3 === 0));
    expect(rotatedPredecessors(log).length).toBeGreaterThan(3);
    expect(supervisor.states()[0]).toMatchObject({ running: true, restarts: 0 });
  });

  it('reports a command that cannot be spawned', async () => {
    const { events } = supervise((d) => [{ ...child(d, 'missing', ''), command: '/nonexistent/binary' }]);
    await waitFor('spawn error', () => events.find((e) => e.type === 'spawn-error'));
    expect(events.find((e) => e.type === 'spawn-error')).toMatchObject({ name: 'missing', message: expect.stringContaining('ENOENT') });
  });

  it('stops children in descending group order, escalating to SIGKILL', async () => {
    const order: string[] = [];
    // The stubborn child says when its SIGTERM handler is installed (startup may be slow).
    const stubborn = (ready: string) => `process.on('SIGTERM', () => {}); require('fs').writeFileSync(${JSON.stringify(ready)}, 'ready'); setInterval(() => {}, 1000)`;
    const { supervisor, events, dir } = supervise((d) => [child(d, 'last', forever, 0), child(d, 'stubborn', stubborn(join(d, 'ready')), 1), child(d, 'first', forever, 2)]);
    await waitFor('all running', () => (supervisor.states().every((s) => s.pid !== null) ? true : undefined));
    await waitFor('the stubborn child to ignore SIGTERM', () => (existsSync(join(dir, 'ready')) ? true : undefined), { timeoutMs: 10_000 });
    const pids = supervisor.states().map((s) => s.pid!);
    supervisor.on('event', (e) => e.type === 'exit' && order.push(e.name));
    await supervisor.stop();
    expect(order).toEqual(['first', 'stubborn', 'last']);
    expect(events.find((e) => e.type === 'exit' && e.name === 'stubborn')).toMatchObject({ exit: { signal: 'SIGKILL' }, restartInMs: null });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});
