/**
 * Where a gateway reads a role's password verifier: from the Postgres on its own host when its
 * zone has one there (LocalFirstVerifiers, a local cluster), else from a pooler (on Kubernetes
 * they hold the only way into Postgres), the one in its own zone first — standbys have
 * pg_authid too — then any.
 *
 * Logins must not depend on the topology store: the poolers are found in the instance list
 * last read from etcd, refreshed in the background and never awaited once known, so a
 * frozen or unreachable etcd costs a login nothing. Only a gateway that has never read the
 * list waits for it — and says so (57P03) if it cannot, instead of blaming the password.
 */
import { callAdmin } from '../admin/http-client';
import { SqlState } from '../protocol/constants';
import { sqlStateError } from '../protocol/protocol-error';
import type { VerifierLookup } from '../session/client-auth';
import type { InstanceRecord } from '../topo/records';
import type { Logger } from '../util/log';
import { withDeadline } from '../util/net';

/** How often the instance list is read again in the background (on a login, not on a timer). */
const REFRESH_MS = 5_000;
/** How long a login waits for its own host's Postgres before asking the poolers. */
const LOCAL_PATIENCE_MS = 1_000;
/** After that read failed or was slow: how long logins go to the poolers without trying it. */
const LOCAL_BACKOFF_MS = 5_000;

/**
 * A gateway on the host of one of its zone's instances (a local cluster) reads the verifier
 * from that Postgres itself, over its private socket, as that instance's pooler would: one
 * query on a kept connection per login instead of an admin call. The call was a tenth of a
 * Bun gateway's CPU per login (its `fetch`), and an HTTP request for the pooler to serve. When
 * that Postgres does not answer (down, restarting, frozen), logins ask the poolers, and keep
 * doing so for a few seconds before trying it again.
 */
export class LocalFirstVerifiers {
  private skipLocalUntil = 0;

  constructor(
    private readonly local: VerifierLookup,
    private readonly poolers: VerifierLookup,
  ) {}

  readonly lookup = async (user: string): Promise<string | null | undefined> => {
    if (Date.now() >= this.skipLocalUntil) {
      try {
        return await withDeadline(this.local(user), LOCAL_PATIENCE_MS, "reading the verifier from this host's Postgres");
      } catch {
        this.skipLocalUntil = Date.now() + LOCAL_BACKOFF_MS;
      }
    }
    return this.poolers(user);
  };
}

export class PoolerVerifiers {
  private instances: InstanceRecord[] = [];
  private readAt = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly listInstances: () => Promise<InstanceRecord[]>,
    private readonly zone: string,
    private readonly token: string,
    private readonly log: Logger,
  ) {}

  /** The lookup a ScramAuthenticator calls: the stored verifier, null/undefined for none. */
  readonly lookup = async (user: string): Promise<string | null | undefined> => {
    const poolers = await this.poolers();
    let lastError: unknown;
    for (const record of poolers) {
      try {
        const reply = await callAdmin<{ stored: string | null }>({ host: record.host, port: record.adminPort, token: this.token, method: 'POST', path: '/v1/verifier', body: { user }, timeoutMs: 2_000, keepAlive: true });
        return reply.stored;
      } catch (error) {
        lastError = error;
      }
    }
    throw sqlStateError(SqlState.connectionFailure, `cannot check the password now: no pooler answered (${(lastError as Error | undefined)?.message ?? 'none known'})`);
  };

  /** The poolers to ask, own zone first, from the last list read (read now only if none was). */
  private async poolers(): Promise<InstanceRecord[]> {
    if (this.instances.length === 0) {
      try {
        await this.read();
      } catch (error) {
        throw sqlStateError(SqlState.cannotConnectNow, `cannot check the password now: the gateway has not yet read where the poolers are, and the topology store does not answer (${(error as Error).message})`);
      }
    } else if (Date.now() - this.readAt > REFRESH_MS) {
      this.read().catch((error: unknown) => this.log.warn({ err: (error as Error).message }, 'cannot refresh the instance list; logins use the last one read'));
    }
    const own = this.instances.filter((record) => record.zone === this.zone);
    return [...own, ...this.instances.filter((record) => record.zone !== this.zone)];
  }

  /** Reads the instance list once at a time; a failure leaves the last one in place. */
  private read(): Promise<void> {
    this.reading ??= this.listInstances()
      .then((instances) => {
        if (instances.length > 0) this.instances = instances;
        this.readAt = Date.now();
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
