import { describe, expect, it } from 'vitest';
import { planLayout } from '../deployment/layout';
import { selectSources } from '../logs/select-sources';
import { defaultSpec } from '../spec/defaults';
import { InvalidRequestError } from '../util/domain-errors';
import { clusterChildren } from './children';
import { clusterLogSources } from './log-sources';

const layout = planLayout({ spec: defaultSpec(), stateDir: '/tmp/x', basePort: 15432 });
const sources = clusterLogSources(layout);
const labels = (names: string | undefined) => selectSources(sources, names).map((source) => source.source);

describe('clusterLogSources', () => {
  it('names every log of a local cluster: the supervisor, each child, each Postgres', () => {
    expect(sources.map((source) => [source.source, source.file])).toEqual([
      ['supervisor', '/tmp/x/logs/supervisor.log'],
      ['etcd', '/tmp/x/logs/etcd.log'],
      ['orchestrator/zone-a', '/tmp/x/logs/orchestrator-zone-a.log'],
      ['orchestrator/zone-b', '/tmp/x/logs/orchestrator-zone-b.log'],
      ['orchestrator/zone-c', '/tmp/x/logs/orchestrator-zone-c.log'],
      ['pooler/zone-a-0', '/tmp/x/logs/pooler-zone-a-0.log'],
      ['pooler/zone-b-0', '/tmp/x/logs/pooler-zone-b-0.log'],
      ['pooler/zone-c-0', '/tmp/x/logs/pooler-zone-c-0.log'],
      ['postgres/zone-a-0', '/tmp/x/data/zone-a-0/postgres.log'],
      ['postgres/zone-b-0', '/tmp/x/data/zone-b-0/postgres.log'],
      ['postgres/zone-c-0', '/tmp/x/data/zone-c-0/postgres.log'],
      ['gateway/zone-a', '/tmp/x/logs/gateway-zone-a.log'],
      ['gateway/zone-b', '/tmp/x/logs/gateway-zone-b.log'],
      ['gateway/zone-c', '/tmp/x/logs/gateway-zone-c.log'],
    ]);
  });

  it('reads the files the supervisor writes', () => {
    const files = new Set(sources.map((source) => source.file));
    for (const child of clusterChildren(layout)) expect(files.has(child.logFile), child.name).toBe(true);
  });
});

describe('--service', () => {
  it('selects by kind, label, process name, instance or zone, several at once', () => {
    expect(labels('pooler')).toEqual(['pooler/zone-a-0', 'pooler/zone-b-0', 'pooler/zone-c-0']);
    expect(labels('pooler/zone-b-0')).toEqual(['pooler/zone-b-0']);
    expect(labels('gateway-zone-c')).toEqual(['gateway/zone-c']);
    expect(labels('zone-a-0')).toEqual(['pooler/zone-a-0', 'postgres/zone-a-0']);
    expect(labels('zone-b')).toEqual(['orchestrator/zone-b', 'pooler/zone-b-0', 'postgres/zone-b-0', 'gateway/zone-b']);
    expect(labels('etcd, supervisor')).toEqual(['supervisor', 'etcd']);
    expect(labels(undefined)).toHaveLength(14);
  });

  it('refuses a name that selects nothing, listing those that would', () => {
    expect(() => labels('pooler,zone-q')).toThrow(InvalidRequestError);
    expect(() => labels('zone-q')).toThrow(/^--service "zone-q" matches no log of this cluster; give one or more \(comma-separated\) of: supervisor, etcd, orchestrator, pooler, postgres, gateway, gateway-zone-a, gateway-zone-b, .*, zone-c, zone-c-0$/);
    expect(() => labels(',')).toThrow(/^--service names nothing; give one or more/);
  });
});
