/**
 * The part of the Kubernetes API server the runtime calls (the orchestrators' rolling
 * updates): list pods and StatefulSets by label selector, delete a pod. HTTPS with the
 * cluster's own authority, bearer tokens of service accounts, and RBAC from the rendered Roles
 * and RoleBindings: a call the Role does not allow gets 403, as it would on a cluster. Pods
 * carry `controller-revision-hash` and StatefulSets `status.updateRevision`, as the
 * StatefulSet controller sets them. Every deletion is kept, in order, for the tests.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Certificate, createCertificate } from '../../runtime/src/tls/certificates';
import { matches } from './cluster-objects';
import type { Json } from './terraform-values';

export const API_SERVER_PORT = 6443;

/** What the API server shows and changes: the sandbox's objects and pods. */
export interface ApiBackend {
  namespace(): string;
  pods(): { name: string; labels: Record<string, string>; phase: string; ready: boolean; deleting: boolean }[];
  statefulSets(): { name: string; labels: Record<string, string>; updateRevision: string }[];
  deletePod(name: string): boolean;
  roles(): Map<string, Json>;
  roleBindings(): Json[];
}

interface Request {
  readonly verb: 'list' | 'delete';
  readonly apiGroup: string;
  readonly resource: string;
  readonly name?: string;
  readonly selector: Record<string, string>;
}

export class SandboxApiServer {
  readonly deletions: { pod: string; by: string; at: number }[] = [];
  private readonly tokens = new Map<string, string>();

  private constructor(
    private readonly server: Server,
    readonly authority: Certificate,
    private readonly backend: ApiBackend,
  ) {}

  static async start(host: string, backend: ApiBackend): Promise<SandboxApiServer> {
    const authority = await createCertificate({ commonName: 'sandbox cluster authority', authority: true });
    const certificate = await createCertificate({ commonName: 'kube-apiserver', names: [host, 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'], issuer: authority });
    const server = createServer({ key: certificate.privateKeyPem, cert: certificate.certificatePem });
    const api = new SandboxApiServer(server, authority, backend);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => api.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(API_SERVER_PORT, host, () => resolve());
    });
    return api;
  }

  /** The token the kubelet mounts into pods of this service account. */
  tokenFor(serviceAccount: string): string {
    let token = this.tokens.get(serviceAccount);
    if (!token) {
      token = randomBytes(24).toString('hex');
      this.tokens.set(serviceAccount, token);
    }
    return token;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const reply = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const account = [...this.tokens].find(([, token]) => request.headers.authorization === `Bearer ${token}`)?.[0];
    if (!account) return reply(401, status(401, 'Unauthorized'));
    const parsed = this.parse(request);
    if (!parsed) return reply(404, status(404, `the server could not find the requested resource (${request.method} ${request.url})`));
    if (!this.allowed(account, parsed)) {
      return reply(403, status(403, `${parsed.resource}${parsed.name ? ` "${parsed.name}"` : ''} is forbidden: User "system:serviceaccount:${this.backend.namespace()}:${account}" cannot ${parsed.verb} resource "${parsed.resource}" in API group "${parsed.apiGroup}" in the namespace "${this.backend.namespace()}"`));
    }
    if (parsed.verb === 'delete') {
      if (!this.backend.deletePod(parsed.name!)) return reply(404, status(404, `pods "${parsed.name}" not found`));
      this.deletions.push({ pod: parsed.name!, by: account, at: Date.now() });
      return reply(200, status(200, 'Success'));
    }
    const items = parsed.resource === 'pods' ? this.podItems(parsed.selector) : this.statefulSetItems(parsed.selector);
    reply(200, { kind: parsed.resource === 'pods' ? 'PodList' : 'StatefulSetList', items });
  }

  private parse(request: IncomingMessage): Request | undefined {
    const url = new URL(request.url ?? '/', 'https://api');
    const ns = this.backend.namespace();
    const selector = Object.fromEntries((url.searchParams.get('labelSelector') ?? '').split(',').filter(Boolean).map((term) => term.split('=', 2) as [string, string]));
    if (request.method === 'GET' && url.pathname === `/api/v1/namespaces/${ns}/pods`) return { verb: 'list', apiGroup: '', resource: 'pods', selector };
    if (request.method === 'GET' && url.pathname === `/apis/apps/v1/namespaces/${ns}/statefulsets`) return { verb: 'list', apiGroup: 'apps', resource: 'statefulsets', selector };
    const pod = new RegExp(`^/api/v1/namespaces/${ns}/pods/([^/]+)$`).exec(url.pathname);
    if (request.method === 'DELETE' && pod) return { verb: 'delete', apiGroup: '', resource: 'pods', name: decodeURIComponent(pod[1]!), selector: {} };
    return undefined;
  }

  /** RBAC: some rule of a Role bound to the account allows the verb on the resource (and name). */
  private allowed(account: string, request: Request): boolean {
    const roles = this.backend.roles();
    return this.backend.roleBindings()
      .filter((binding) => (binding.subject ?? []).some((subject: Json) => subject.kind === 'ServiceAccount' && subject.name === account))
      .flatMap((binding) => roles.get(binding.role_ref.name)?.rule ?? [])
      .some((rule: Json) =>
        oneOf(rule.api_groups, request.apiGroup) && oneOf(rule.resources, request.resource) && oneOf(rule.verbs, request.verb)
        && (!rule.resource_names?.length || (request.name !== undefined && rule.resource_names.includes(request.name))));
  }

  private podItems(selector: Record<string, string>): Json[] {
    return this.backend.pods().filter((pod) => matches(selector, pod.labels)).map((pod) => ({
      metadata: { name: pod.name, namespace: this.backend.namespace(), labels: pod.labels, ...(pod.deleting ? { deletionTimestamp: new Date().toISOString() } : {}) },
      status: { phase: pod.phase, conditions: [{ type: 'Ready', status: pod.ready ? 'True' : 'False' }] },
    }));
  }

  private statefulSetItems(selector: Record<string, string>): Json[] {
    return this.backend.statefulSets().filter((set) => matches(selector, set.labels)).map((set) => ({
      metadata: { name: set.name, namespace: this.backend.namespace(), labels: set.labels },
      status: { updateRevision: set.updateRevision },
    }));
  }
}

function oneOf(values: readonly string[] | undefined, value: string): boolean {
  return (values ?? []).some((candidate) => candidate === '*' || candidate === value);
}

function status(code: number, message: string): Json {
  return { kind: 'Status', apiVersion: 'v1', status: code < 400 ? 'Success' : 'Failure', message, code };
}
