/**
 * A gateway session's backend: one link (a v3 session that skips authentication with the
 * link token, carried on the gateway's multiplexed link) to the pooler of the node the session
 * is routed to. The link is kept between
 * transactions; when the primary changes, the next transaction waits — within the failover
 * buffer's window and queue — for the new primary and continues on a fresh link, on which the
 * session layer replays settings and prepares statements again. A transaction open when the
 * primary is lost fails with 57P01, so the client can retry.
 */
import type { Backend, BackendConnection } from '../session/backend';
import { LINK_TOKEN_PARAMETER } from '../link/mux-protocol';
import { ServerConnection } from '../session/server-connection';
import type { ServerTarget } from '../link/server-target';
import type { MuxLinks } from '../link/mux-links';
import { SqlState } from '../protocol/constants';
import { sqlStateError } from '../protocol/protocol-error';
import { encodeFrontend } from '../protocol/encode-frontend';
import { connect } from 'node:net';
import type { CarriedStartup } from '../session/carried-startup';
import type { Endpoint } from './pooler-endpoint';

export interface LinkRouting {
  /** The endpoint this session should use now, waiting up to `timeoutMs` for one; undefined: none. */
  endpoint(timeoutMs: number): Promise<Endpoint | undefined>;
  /** The endpoint right now, without waiting. */
  current(): Endpoint | undefined;
}

/** Shared by every session of a gateway: the failover buffer's bounds, and what is known to parse. */
export interface LinkSettings {
  readonly user: string;
  readonly database: string;
  readonly linkToken: string;
  /** The gateway's multiplexed links to poolers, which carry every session's link. */
  readonly links: MuxLinks;
  readonly statementCacheSize: number;
  readonly bufferWindowMs: number;
  readonly buffer: BufferGate;
  readonly knownStatements: Set<string>;
  /** ParameterStatus of recent logins, by user and database. */
  readonly loginParameters: Map<string, { readonly parameters: ReadonlyMap<string, string>; readonly at: number }>;
  /**
   * The session's application_name, sent in the link's startup: the pooler's session has it
   * as its own startup, and opens pool connections with it (carried-startup.ts).
   */
  readonly startup: CarriedStartup;
}

/** How long a session keeps its link while idle: idle clients then cost the gateway one socket. */
const LINK_IDLE_MS = 15_000;
/** How long a login's parameters are reused for other logins of the same user and database. */
const LOGIN_PARAMETERS_MS = 60_000;

/** Bounds how many sessions may wait for a primary at once (failoverBuffer.maxQueued). */
export class BufferGate {
  private waiting = 0;
  /** Observed by metrics: sessions now waiting, and each wait's duration. */
  onWait: (seconds: number) => void = () => undefined;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.waiting;
  }

  async hold<T>(work: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.limit) throw sqlStateError(SqlState.tooManyConnections, `the failover buffer is full (${this.limit} sessions waiting for a primary); retry shortly`);
    this.waiting += 1;
    const started = Date.now();
    try {
      return await work();
    } finally {
      this.waiting -= 1;
      this.onWait((Date.now() - started) / 1000);
    }
  }
}

export function targetOf(endpoint: Endpoint): ServerTarget {
  return endpoint.socket ? { path: endpoint.socket } : { host: endpoint.host, port: endpoint.port };
}

export class LinkBackend implements Backend {
  readonly lossMessage = 'the connection to the primary was lost (failover or restart); the transaction did not complete — reconnect and retry';
  private link: ServerConnection | undefined;
  private linkedTo: string | undefined;
  /** Checks now and then whether the link has been idle for LINK_IDLE_MS (not re-armed per transaction). */
  private idleTimer: NodeJS.Timeout | undefined;
  private inUse = false;
  private releasedAt = 0;

  constructor(private readonly routing: LinkRouting, private readonly settings: LinkSettings, private readonly registry?: Set<LinkBackend>) {
    registry?.add(this);
  }

  /**
   * The routing changed: a link to anything else is stale. An idle session simply gets a new
   * link for its next transaction; one waiting on the old node gets its error now, instead of
   * when that node's pooler gives up.
   */
  endpointChanged(endpoint: Endpoint | undefined): void {
    if (this.link && this.linkedTo !== endpoint?.instance) this.link.destroy();
  }

  get knownStatements(): Set<string> {
    return this.settings.knownStatements;
  }

  tryAcquire(): BackendConnection | undefined {
    const endpoint = this.routing.current();
    if (this.link && !this.link.broken && !this.link.closed && endpoint?.instance === this.linkedTo) {
      this.inUse = true;
      return this.link;
    }
    return undefined;
  }

  async acquire(): Promise<BackendConnection> {
    const ready = this.tryAcquire();
    if (ready) return ready;
    this.dropLink();
    for (;;) {
      const endpoint = await this.routedEndpoint();
      const channel = await this.settings.links.channel(targetOf(endpoint));
      const link = await ServerConnection.over(channel, this.settings.user, this.settings.database, this.settings.statementCacheSize, {
        parameters: { [LINK_TOKEN_PARAMETER]: this.settings.linkToken },
        startup: this.settings.startup,
      });
      // The login may have outlived the route (the node's pooler waited through a failover for
      // a connection): a link to a node the route no longer points at carries nothing.
      if (!this.pointsAt(endpoint)) {
        link.close();
        continue;
      }
      this.link = link;
      this.linkedTo = endpoint.instance;
      this.inUse = true;
      this.watchIdle();
      return link;
    }
  }

  /** Where the session's route points now (undefined during a failover). */
  get route(): Endpoint | undefined {
    return this.routing.current();
  }

  /** Does the route still point at `endpoint`'s node (checked when a wait for it ends)? */
  pointsAt(endpoint: Endpoint): boolean {
    return this.routing.current()?.instance === endpoint.instance;
  }

  /**
   * Where the session is routed now — or, while there is nowhere (a failover), once there is:
   * the wait is bounded by the failover buffer's window and queue.
   */
  async routedEndpoint(): Promise<Endpoint> {
    const endpoint = this.routing.current() ?? (await this.settings.buffer.hold(() => this.routing.endpoint(this.settings.bufferWindowMs)));
    if (!endpoint) {
      throw sqlStateError(SqlState.cannotConnectNow, `no primary accepted connections within ${this.settings.bufferWindowMs} ms; the cluster is failing over or down — run polygres status`);
    }
    return endpoint;
  }

  /** The link stays with the session between transactions (until idle too long); a broken one is let go. */
  release(connection: BackendConnection): void {
    if (!this.owns(connection)) return;
    if (connection.broken || connection.closed) {
      this.dropLink();
      return;
    }
    this.inUse = false;
    this.releasedAt = Date.now();
  }

  private watchIdle(delayMs = LINK_IDLE_MS): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const idleFor = Date.now() - this.releasedAt;
      if (!this.inUse && idleFor >= LINK_IDLE_MS) this.dropLink();
      else this.watchIdle(this.inUse ? LINK_IDLE_MS : LINK_IDLE_MS - idleFor);
    }, delayMs);
    this.idleTimer.unref();
  }

  loginParameters(): ReadonlyMap<string, string> | undefined {
    const known = this.settings.loginParameters.get(this.loginKey);
    return known && Date.now() - known.at < LOGIN_PARAMETERS_MS ? known.parameters : undefined;
  }

  rememberLoginParameters(parameters: ReadonlyMap<string, string>): void {
    this.settings.loginParameters.set(this.loginKey, { parameters, at: Date.now() });
  }

  private get loginKey(): string {
    return `${this.settings.user}\u0000${this.settings.database}`;
  }

  /** Forwards the cancel to the pooler, which holds the key of the link's session. */
  cancel(connection: BackendConnection): void {
    const endpoint = this.routing.current();
    if (!endpoint || !this.owns(connection)) return;
    const socket = endpoint.socket ? connect({ path: endpoint.socket }) : connect({ host: endpoint.host, port: endpoint.port });
    socket.on('error', () => socket.destroy());
    socket.once('connect', () => socket.end(encodeFrontend({ type: 'cancelRequest', ...this.link!.backendKey })));
  }

  /** Is `connection` this backend's link? */
  owns(connection: BackendConnection): boolean {
    return connection === this.link;
  }

  sessionClosed(): void {
    this.dropLink();
    this.registry?.delete(this);
  }

  private dropLink(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.inUse = false;
    this.link?.close();
    this.link = undefined;
    this.linkedTo = undefined;
  }
}
