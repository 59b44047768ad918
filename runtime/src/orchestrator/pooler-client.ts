/** Typed calls from an orchestrator to the poolers' consensus API. */
import { callAdmin } from '../admin/http-client';
import type { ClusterLayout } from '../deployment/layout';
import { findInstance } from '../deployment/layout';
import type {
  AckReply,
  ApplySyncRequest,
  EstablishRuleRequest,
  FollowRequest,
  PromoteRequest,
  RecruitReply,
  RecruitRequest,
} from '../agent/consensus-messages';
import type { InstanceStatus } from '../postgres/instance-status';

export class PoolerClient {
  constructor(private readonly layout: ClusterLayout, private readonly token: string) {}

  status(instance: string, timeoutMs = 1_000): Promise<InstanceStatus> {
    return this.call(instance, 'GET', '/v1/status', undefined, timeoutMs);
  }

  recruit(instance: string, request: RecruitRequest): Promise<RecruitReply> {
    return this.call(instance, 'POST', '/v1/recruit', request, 15_000);
  }

  promote(instance: string, request: PromoteRequest): Promise<AckReply> {
    return this.call(instance, 'POST', '/v1/promote', request, 90_000);
  }

  establishRule(instance: string, request: EstablishRuleRequest, timeoutMs: number): Promise<AckReply> {
    return this.call(instance, 'POST', '/v1/establish-rule', request, timeoutMs);
  }

  follow(instance: string, request: FollowRequest): Promise<AckReply> {
    return this.call(instance, 'POST', '/v1/follow', request, 300_000);
  }

  applySync(instance: string, request: ApplySyncRequest): Promise<AckReply> {
    return this.call(instance, 'POST', '/v1/apply-sync', request, 30_000);
  }

  private call<T>(instance: string, method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<T> {
    const target = findInstance(this.layout, instance);
    return callAdmin<T>({ host: target.host, port: target.adminPort, token: this.token, method, path, body, timeoutMs });
  }
}
