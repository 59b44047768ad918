/**
 * Where a proxy's CPU goes per transaction, from a CPU profile (.cpuprofile, as Node's and
 * Bun's --cpu-prof write it): each sample is given to the component of the innermost frame on
 * its stack that belongs to one — so the runtime's own work (a socket write, a Buffer copy,
 * the SQL parser) counts for the part of the gateway that asked for it.
 */

/** The parts of a statement's trip through the gateway, in the order it makes them. */
export const COMPONENTS = ['client read', 'classify', 'pool', 'server write', 'server read', 'client write', 'metrics', 'garbage collection', 'runtime and other'] as const;
export type Component = (typeof COMPONENTS)[number];

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Functions named for one component wherever they run (the session's path through the code). */
const BY_FUNCTION: ReadonlyMap<string, Component> = new Map([
  ['flushToClient', 'client write'],
  ['forward', 'client write'],
  ['emitSynthetic', 'client write'],
  ['synthesize', 'client write'],
  ['flushToServer', 'server write'],
  ['handleClientFrame', 'server write'],
  ['send', 'server write'],
  ['inject', 'server write'],
  ['prepareConnection', 'server write'],
  ['prepareStep', 'server write'],
  ['handleParse', 'server write'],
  ['handleBind', 'server write'],
  ['handleDescribe', 'server write'],
  ['handleClose', 'server write'],
  ['tryAcquire', 'pool'],
  ['acquire', 'pool'],
  ['release', 'pool'],
  ['attachServer', 'pool'],
  ['attach', 'pool'],
  ['maybeRelease', 'pool'],
  ['tryPipeline', 'pool'],
  ['follow', 'pool'],
  ['handOver', 'pool'],
  ['onServerFrame', 'server read'],
  ['serverFrameHandler', 'server read'],
  ['onReadyForQuery', 'server read'],
  ['onFrame', 'server read'],
  ['received', 'server read'],
  ['onClientData', 'client read'],
  ['drain', 'client read'],
  ['takeFrame', 'client read'],
  ['decodeFrontend', 'client read'],
]);

/** Files whose every function belongs to one component. */
const BY_FILE: readonly (readonly [RegExp, Component])[] = [
  [/\/sql\/|libpg-query/, 'classify'],
  [/\/pooler\/pool\.js|colocated-pools\.js/, 'pool'],
  [/prom-client/, 'metrics'],
];

export function componentOf(frame: CallFrame): Component | undefined {
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  for (const [pattern, component] of BY_FILE) if (pattern.test(frame.url)) return component;
  // Our own code only: Node's internals have functions named like ours (a stream's `send`).
  if (!/\/runtime\/dist\//.test(frame.url)) return undefined;
  return BY_FUNCTION.get(frame.functionName);
}

/** Sampled time (µs) per component; idle time is left out. */
export function budgetOf(profile: CpuProfile): Map<Component, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const memo = new Map<number, Component>();
  const componentOfNode = (id: number): Component => {
    const known = memo.get(id);
    if (known) return known;
    let found: Component | undefined;
    for (let at: number | undefined = id; at !== undefined && !found; at = parent.get(at)) found = componentOf(byId.get(at)!.callFrame);
    const component = found ?? 'runtime and other';
    memo.set(id, component);
    return component;
  };
  const totals = new Map<Component, number>(COMPONENTS.map((component) => [component, 0]));
  profile.samples.forEach((id, index) => {
    const name = byId.get(id)?.callFrame.functionName;
    if (name === '(idle)' || name === '(root)') return;
    const component = componentOfNode(id);
    totals.set(component, totals.get(component)! + (profile.timeDeltas[index] ?? 0));
  });
  return totals;
}
