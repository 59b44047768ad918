/**
 * A Job that applies the declared databases and users (bootstrap-sql.ts) once the gateways
 * accept connections. Its spec is rendered at synth, so users added after the cluster was
 * constructed are included; a changed spec replaces the Job, which runs it again. Its template
 * carries a checksum of the users' generated passwords, so a rotated password (`terraform
 * apply -replace` of its random_password) changes the spec too and reaches the role.
 */
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { Fn, Lazy } from 'cdktf';
import type { Construct } from 'constructs';
import type { UserDeclaration } from '../../model/cluster-declaration';
import { bootstrapSql, passwordVariable } from './bootstrap-sql';
import { containerSecurity, runtimePod, SCRATCH_MOUNT, SCRATCH_VOLUME } from './pod-parts';
import { type RenderContext, metadata } from './render-context';

export function renderBootstrapJob(
  scope: Construct,
  context: RenderContext,
  declared: () => { databases: readonly string[]; users: readonly UserDeclaration[] },
  generatedPassword: (user: string) => string | undefined,
): JobV1 {
  const { names, settings, spec } = context;
  const host = names.fqdn(names.gatewayAll());
  const sslmode = spec.gateway.tls.mode === 'disabled' ? 'disable' : 'require';
  const script = () => {
    const { users } = declared();
    const variables = users.map((_, index) => `-v ${passwordVariable(index)}="$USER_PASSWORD_${index}"`).join(' ');
    return [
      'set -eu',
      `until pg_isready -q -h ${host} -p ${spec.gateway.port}; do sleep 2; done`,
      `psql "host=${host} port=${spec.gateway.port} user=postgres dbname=postgres sslmode=${sslmode}" ${variables} -f /dev/stdin <<'SQL'`,
      bootstrapSql(declared().databases, users).trimEnd(),
      'SQL',
    ].join('\n');
  };
  const job = new JobV1(scope, 'bootstrap', {
    metadata: metadata(context, `${names.cluster}-bootstrap`, names.labels('bootstrap')),
    waitForCompletion: true,
    timeouts: { create: '20m', update: '20m' },
    spec: {
      backoffLimit: 20,
      template: {
        metadata: {
          labels: names.labels('bootstrap'),
          // A SHA-256 of 190-bit random passwords: it changes with them and reveals nothing.
          annotations: { 'polygres.dev/passwords-checksum': Lazy.stringValue({ produce: () => Fn.sha256(Fn.join(',', declared().users.map((user) => generatedPassword(user.name) ?? '').filter(Boolean))) }) },
        },
        spec: {
          restartPolicy: 'OnFailure',
          ...runtimePod(names, settings),
          container: [{
            name: 'psql',
            image: settings.image,
            imagePullPolicy: settings.imagePullPolicy,
            command: ['bash', '-c'],
            args: [Lazy.stringValue({ produce: script })],
            securityContext: containerSecurity(),
            // bash may write a here-document to a temporary file.
            volumeMount: [SCRATCH_MOUNT],
          }],
          volume: [SCRATCH_VOLUME],
        },
      },
    },
  });
  // The users are known only at synth; an override takes the rendered (snake_case) form.
  job.addOverride('spec.template.spec.container.0.env', Lazy.anyValue({
    produce: () => [
      secretEnv('PGPASSWORD', names.internalSecret(), 'superuser-password'),
      ...declared().users.map((user, index) => secretEnv(`USER_PASSWORD_${index}`, names.userSecret(user.name), 'password')),
    ],
  }));
  return job;
}

function secretEnv(name: string, secret: string, key: string) {
  return { name, value_from: { secret_key_ref: { name: secret, key } } };
}
