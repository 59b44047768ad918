/**
 * A zone's gateway: client listeners on the primary port and the replica port, TLS and SCRAM,
 * a ClientSession per client whose backend reaches the routed node — through the gateway's own
 * pool when that node is co-located, else over a link to its pooler — cancel keys that find
 * their session through any gateway, and the failover buffer's shared bounds.
 */
import { connect } from 'node:net';
import type { ClientAuthenticator } from '../session/client-auth';
import { ClientSession } from '../session/client-session';
import { countPins, type RegisteredSession, type SessionContext } from '../session/session-context';
import { encodeFrontend } from '../protocol/encode-frontend';
import type { Logger } from '../util/log';
import { CancelKeys, gatewayOf } from './cancel-keys';
import type { CancelTarget } from './cancel-routing';
import { GatewayMetrics } from './gateway-metrics';
import { BufferGate, LinkBackend, type LinkRouting } from './link-backend';
import { MuxLinks } from '../link/mux-links';
import { type ReadingServer, type ServerTls, createReadingServer } from '../link/socket-reads';
import type { Endpoint } from './pooler-endpoint';
import type { ReplicaSelector } from './replica-selector';
import { SplitBackend } from './split-backend';
import type { ColocatedPools } from './colocated-pools';
import { RoutedBackend } from './routed-backend';
import type { PinReason } from '../session/session-state';
import { ClientLimits } from '../session/client-limits';
import { carriedStartup } from '../session/carried-startup';
import type { ClientLimitsSpec } from '../spec/schema';

export type Route = 'primary' | 'replica';

/** How a session asks for reads from replicas at startup (also as `options=-c name=value`). */
export const TARGET_SESSION_ATTRS = 'polygres.target_session_attrs';
export const READ_ROUTING = 'polygres.read_routing';
const REPLICA_ATTRS = new Set(['read-only', 'standby', 'prefer-standby']);

export interface GatewayServerOptions {
  readonly host: string;
  readonly port: number;
  readonly replicaPort: number;
  readonly index: number;
  /** Where to forward a cancel for a session of gateway `owner` this process does not hold. */
  readonly cancelTargets: (owner: number, from: string | undefined) => readonly CancelTarget[];
  readonly routing: Record<Route, LinkRouting>;
  readonly replicas: ReplicaSelector;
  readonly authenticator: ClientAuthenticator;
  readonly linkToken: string;
  /** Links to poolers use TLS verified against this authority (internal TLS). */
  readonly linkTls?: { readonly ca: string };
  /** Pools for the Postgres of co-located instances, served without the pooler hop. */
  readonly colocated: ColocatedPools;
  readonly tls?: ServerTls;
  /** Refuse clients that do not ask for TLS (gateway.tls.required). */
  readonly tlsRequired?: boolean;
  readonly limits: ClientLimitsSpec;
  readonly statementCacheSize: number;
  readonly bufferWindowMs: number;
  readonly bufferMaxQueued: number;
  readonly log: Logger;
}

export class GatewayServer {
  readonly metrics: GatewayMetrics;
  readonly limits: ClientLimits;
  private readonly keys: CancelKeys;
  private readonly sessions = new Map<number, { session: RegisteredSession; secretKey: number }>();
  private readonly servers: ReadingServer[] = [];
  private readonly buffer: BufferGate;
  private readonly knownStatements = new Set<string>();
  private readonly loginParameters = new Map<string, { readonly parameters: ReadonlyMap<string, string>; readonly at: number }>();
  /** Links of primary-port sessions, told when the primary changes. */
  private readonly primaryLinks = new Set<LinkBackend>();
  private readonly links: MuxLinks;

  constructor(private readonly options: GatewayServerOptions) {
    this.keys = new CancelKeys(options.index);
    this.links = new MuxLinks(options.linkToken, options.linkTls);
    this.buffer = new BufferGate(options.bufferMaxQueued);
    this.limits = new ClientLimits(options.limits, 'gateway', (session, waitedMs) => options.log.warn({ waitedMs: Math.round(waitedMs), ...session.describeWait() }, 'a session has waited a minute with no message from its server: a long statement, or a hang'));
    this.metrics = new GatewayMetrics(() => this.buffer.size, () => options.colocated.stats(), () => this.pinCounts(), this.limits);
    this.buffer.onWait = (seconds) => {
      this.metrics.bufferWait.observe(seconds);
      this.metrics.bufferedStatements.inc();
    };
    options.colocated.onWait = (seconds) => this.metrics.poolWait.observe(seconds);
  }

  async listen(): Promise<void> {
    await this.listenOn(this.options.port, 'primary');
    await this.listenOn(this.options.replicaPort, 'replica');
  }

  /**
   * A new primary serves: links to the old one are cut, and sessions waiting for a connection
   * of a co-located old primary go to the new one. (While it is being elected nothing is cut:
   * a statement in flight on the old primary may still complete, and the fence decides.)
   */
  primaryChanged(endpoint: Endpoint | undefined): void {
    if (!endpoint) return;
    for (const link of this.primaryLinks) link.endpointChanged(endpoint);
    this.options.colocated.primaryMoved(endpoint.instance);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Sessions holding their server connection (or link) between transactions, by reason. */
  pinCounts(): Map<PinReason, number> {
    return countPins(this.sessions.values());
  }

  close(): void {
    for (const server of this.servers) server.close();
    for (const { session } of this.sessions.values()) session.close();
    this.limits.close();
    this.links.close();
    this.options.colocated.close();
  }

  private listenOn(port: number, route: Route): Promise<void> {
    const context = this.contextFor(route);
    const server = createReadingServer((socket) => {
      this.metrics.connections.inc({ route });
      socket.once('close', () => this.metrics.connections.dec({ route }));
      new ClientSession(socket, context);
    });
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host, () => resolve());
    });
  }

  private contextFor(route: Route): SessionContext {
    const { options } = this;
    // A plain count per statement: a labelled prom-client increment costs more than the statement's own routing.
    const statement = this.metrics.statementCounter(route);
    const statementSeconds = this.metrics.statementSeconds.series({ route });
    return {
      log: options.log,
      authenticator: options.authenticator,
      limits: this.limits,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.tlsRequired ? { tlsRequiredBy: 'gateway.tls.required' } : {}),
      backend: (user, database, startup) => {
        const carried = carriedStartup(startup);
        const routed = (to: Route) => {
          const link = new LinkBackend(
            options.routing[to],
            {
              user,
              database,
              linkToken: options.linkToken,
              links: this.links,
              statementCacheSize: options.statementCacheSize,
              bufferWindowMs: options.bufferWindowMs,
              buffer: this.buffer,
              knownStatements: this.knownStatements,
              loginParameters: this.loginParameters,
              startup: carried,
            },
            to === 'primary' ? this.primaryLinks : undefined,
          );
          return new RoutedBackend(link, options.colocated, user, database, carried);
        };
        const attrs = startupValue(startup, TARGET_SESSION_ATTRS);
        if (route === 'replica' || (attrs !== undefined && REPLICA_ATTRS.has(attrs))) return routed('replica');
        if (startupValue(startup, READ_ROUTING) === 'replica') return new SplitBackend(routed('primary'), routed('replica'), options.replicas);
        return routed('primary');
      },
      register: (session) => {
        const key = this.keys.issue();
        this.sessions.set(key.processId, { session, secretKey: key.secretKey });
        return key;
      },
      unregister: (session) => this.sessions.delete(session.processId),
      cancel: (processId, secretKey, from) => this.cancel(processId, secretKey, from),
      metrics: {
        statementCacheHit: () => this.metrics.statementCache.inc({ result: 'hit' }),
        statementCacheMiss: () => this.metrics.statementCache.inc({ result: 'miss' }),
        statement,
        statementSeconds: (seconds) => statementSeconds.observe(seconds),
        login: (outcome, tls) => this.metrics.logins.inc({ tls: tls ? 'yes' : 'no', outcome }),
        error: (sqlstate) => this.metrics.errors.inc({ sqlstate }),
      },
    };
  }

  /**
   * Cancels locally when this process holds the session, else forwards the request to the
   * gateway processes that may (cancel-routing.ts).
   */
  private cancel(processId: number, secretKey: number, from: string | undefined): void {
    const owner = gatewayOf(processId);
    if (owner === this.options.index) {
      const entry = this.sessions.get(processId);
      // A sibling process of this zone may have issued the same id: only the secret decides.
      if (entry && entry.secretKey === secretKey) return void entry.session.cancel();
    }
    for (const target of this.options.cancelTargets(owner, from)) {
      const socket = connect({ host: target.host, port: target.port });
      socket.on('error', () => socket.destroy());
      socket.once('connect', () => socket.end(encodeFrontend({ type: 'cancelRequest', processId, secretKey })));
    }
  }
}

function startupValue(startup: ReadonlyMap<string, string>, name: string): string | undefined {
  for (const [key, value] of startup) if (key.toLowerCase() === name) return value.toLowerCase();
  return undefined;
}
