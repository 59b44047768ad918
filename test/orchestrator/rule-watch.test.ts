/**
 * The rule watch against a real etcd: a read of the current rule that etcd answers before a
 * change but that arrives after the change's event must not put the older rule back. Gateways
 * and pooler agents act on the last rule they heard; one that heard `bootstrapping` last while
 * the rule was `serving` routed nothing until the next change of rule.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdTopoStore } from '../../runtime/src/topo/etcd-topo-store';
import type { ShardRule } from '../../runtime/src/topo/records';
import { isListening, sleep } from '../../runtime/src/util/net';
import { type PortBlock, claimPortBlock } from '../support/ports';

const bootstrapping: ShardRule = {
  term: 1, primary: 'a-0', policy: { policy: 'atLeast', n: 2 }, members: ['a-0', 'b-0', 'c-0'], sync: { quorum: 1, standbys: ['b-0', 'c-0'] },
  pendingSync: null, status: 'bootstrapping', election: null, decidedBy: 'orchestrator-a', decidedAt: '2026-12-04T12:00:00Z',
};
const serving: ShardRule = { ...bootstrapping, status: 'serving' };

let dir: string;
let ports: PortBlock;
let etcd: ChildProcess;
let endpoint: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'polygres-rule-watch-'));
  ports = await claimPortBlock();
  endpoint = `http://127.0.0.1:${ports.base}`;
  const peer = `http://127.0.0.1:${ports.base + 1}`;
  etcd = spawn('etcd', ['--name', 'm', '--data-dir', join(dir, 'etcd'), '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint, '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `m=${peer}`, '--log-level', 'error'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await isListening('127.0.0.1', ports.base)); i++) await sleep(100);
});

afterAll(async () => {
  if (etcd.exitCode === null) {
    const exited = new Promise((resolve) => etcd.once('exit', resolve));
    etcd.kill('SIGTERM');
    await exited;
  }
  ports.release();
  rmSync(dir, { recursive: true, force: true });
});

describe('the rule watch', () => {
  it('never hears an older rule after a newer one: a read answered before a change and delivered after its event is dropped', async () => {
    const store = new EtcdTopoStore({ endpoints: [endpoint], cluster: 'rule-watch' });
    try {
      expect(await store.createRule(bootstrapping)).toBe(true);
      const before = (await store.getRule())!;

      // The watch's first read of the current rule: etcd answers it at once (bootstrapping),
      // and the answer is held until the change below has come through the watch.
      const client = (store as unknown as { client: Etcd3 }).client;
      const get = client.get.bind(client);
      let answered!: () => void;
      const readAnswered = new Promise<void>((resolve) => (answered = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      client.get = ((key: string) => {
        const builder = get(key);
        const exec = builder.exec.bind(builder);
        builder.exec = async () => {
          const answer = await exec();
          answered();
          await held;
          return answer;
        };
        return builder;
      }) as typeof client.get;

      const heard: (string | undefined)[] = [];
      const watching = store.watchRule((rule) => heard.push(rule?.status));
      await readAnswered;
      expect(await store.replaceRule(serving, before.modRevision)).toBeDefined();
      for (let i = 0; i < 100 && !heard.includes('serving'); i++) await sleep(50);
      expect(heard).toEqual(['serving']);
      release();
      const watcher = await watching;
      client.get = get;
      expect(heard).toEqual(['serving']);
      await watcher.cancel();
    } finally {
      store.close();
    }
  });
});
