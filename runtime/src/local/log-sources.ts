/**
 * Where a local cluster's logs are, for `polygres logs`: one file per supervised process
 * (logs/<process>.log, written by the supervisor from the child's output), the supervisor's
 * own, and each instance's Postgres log (<instance dir>/postgres.log). Each is labelled
 * `<kind>/<identity>` and answers --service to its kind, label, process name, instance, zone.
 */
import { type ClusterLayout, etcdMembers, postgresLogFile } from '../deployment/layout';
import type { LogSource, ServiceKind } from '../logs/log-record';
import { processLogFile, processName } from './children';
import { supervisorLogFile } from './supervisor-files';

export function clusterLogSources(layout: ClusterLayout): LogSource[] {
  const supervised = (service: ServiceKind, name: string, id: string, also: string[]): LogSource => ({
    service,
    source: `${service}/${id}`,
    file: processLogFile(layout, name),
    names: [service, `${service}/${id}`, name, ...also],
    identity: [id, name],
  });
  return [
    { service: 'supervisor', source: 'supervisor', file: supervisorLogFile(layout), names: ['supervisor'], identity: [] },
    ...etcdMembers(layout).map((member): LogSource => {
      const name = processName.etcd(member);
      return member.zone === undefined
        ? { service: 'etcd', source: 'etcd', file: processLogFile(layout, name), names: ['etcd'], identity: [] }
        : supervised('etcd', name, member.zone, [member.zone]);
    }),
    ...layout.orchestrators.map((o) => supervised('orchestrator', processName.orchestrator(o), o.name.replace(/^orchestrator-/, ''), [o.zone])),
    ...layout.instances.map((i) => supervised('pooler', processName.pooler(i), i.name, [i.name, i.zone])),
    ...layout.instances.map((i): LogSource => ({
      service: 'postgres',
      source: `postgres/${i.name}`,
      file: postgresLogFile(i),
      names: ['postgres', `postgres/${i.name}`, i.name, i.zone],
      identity: [],
    })),
    ...layout.gateways.map((g) => supervised('gateway', processName.gateway(g), g.zone, [g.zone])),
  ];
}
