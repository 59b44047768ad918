/**
 * The few Kubernetes API calls an orchestrator makes from inside its pod (listing the instance
 * pods and StatefulSets, deleting one pod), with the pod's service account: the token, the
 * cluster's CA and the namespace the kubelet mounts, the API server from the environment
 * every pod gets. The token is read at every call: bound tokens are rotated in place.
 *
 * Written over node:https rather than @kubernetes/client-node: three REST calls do not need a
 * client that is ESM-only, pulls a dozen packages and requires a newer @types/node than this
 * runtime builds with (docs/DECISIONS.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const CALL_TIMEOUT_MS = 10_000;

export interface KubernetesObject {
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string>; readonly deletionTimestamp?: string };
}

export interface PodObject extends KubernetesObject {
  readonly status?: { readonly phase?: string; readonly conditions?: readonly { readonly type: string; readonly status: string }[] };
}

export interface StatefulSetObject extends KubernetesObject {
  readonly status?: { readonly updateRevision?: string; readonly currentRevision?: string };
}

export class KubernetesApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class KubernetesApi {
  private constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly accountDir: string,
    readonly namespace: string,
  ) {}

  /** The pod's own API access, or undefined when the pod has no service account token mounted. */
  static inCluster(env: NodeJS.ProcessEnv = process.env, accountDir = SERVICE_ACCOUNT_DIR): KubernetesApi | undefined {
    const host = env.KUBERNETES_SERVICE_HOST;
    if (!host || !existsSync(join(accountDir, 'token'))) return undefined;
    const namespace = readFileSync(join(accountDir, 'namespace'), 'utf8').trim();
    return new KubernetesApi(host, Number(env.KUBERNETES_SERVICE_PORT ?? 443), accountDir, namespace);
  }

  listPods(selector: Record<string, string>): Promise<PodObject[]> {
    return this.list<PodObject>(`/api/v1/namespaces/${this.namespace}/pods`, selector);
  }

  listStatefulSets(selector: Record<string, string>): Promise<StatefulSetObject[]> {
    return this.list<StatefulSetObject>(`/apis/apps/v1/namespaces/${this.namespace}/statefulsets`, selector);
  }

  /** Deletes a pod with its own grace period; a pod already gone is not an error. */
  async deletePod(name: string): Promise<void> {
    try {
      await this.call('DELETE', `/api/v1/namespaces/${this.namespace}/pods/${encodeURIComponent(name)}`);
    } catch (error) {
      if (!(error instanceof KubernetesApiError && error.status === 404)) throw error;
    }
  }

  private async list<T>(path: string, selector: Record<string, string>): Promise<T[]> {
    const labelSelector = Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(',');
    const body = await this.call('GET', `${path}?labelSelector=${encodeURIComponent(labelSelector)}`);
    return (body as { items?: T[] }).items ?? [];
  }

  private call(method: 'GET' | 'DELETE', path: string): Promise<unknown> {
    const token = readFileSync(join(this.accountDir, 'token'), 'utf8').trim();
    const ca = readFileSync(join(this.accountDir, 'ca.crt'));
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: this.host, port: this.port, method, path, ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, timeout: CALL_TIMEOUT_MS }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve(text ? JSON.parse(text) : {});
            } catch (error) {
              reject(new Error(`${method} ${path}: the API server's answer is not JSON: ${(error as Error).message}`));
            }
            return;
          }
          let message = text.slice(0, 300);
          try {
            message = (JSON.parse(text) as { message?: string }).message ?? message;
          } catch {
            // not a Status object: keep the text
          }
          reject(new KubernetesApiError(status, `${method} ${path}: ${status} ${message}`));
        });
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path}: no answer from the API server in ${CALL_TIMEOUT_MS} ms`)));
      outgoing.on('error', reject);
      outgoing.end();
    });
  }
}

/** Whether the pod's Ready condition is True. */
export function podReady(pod: PodObject): boolean {
  return pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;
}
