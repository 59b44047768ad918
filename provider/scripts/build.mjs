// Builds dist/provider.js: one bundle with the protobuf descriptor embedded (parsed from
// proto/*.proto here, once), so launching the provider parses no .proto and loads few files.
// The runtime (@polygres/runtime) stays external: the bundle requires its built code on use.
import { build } from 'esbuild';
import protobuf from 'protobufjs';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protos = ['tfplugin6.proto', 'go-plugin.proto', 'health.proto'].map((file) => join(root, 'proto', file));
const descriptor = new protobuf.Root().loadSync(protos).toJSON();

await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile: join(root, 'dist', 'provider.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minifySyntax: true,
  external: ['@polygres/runtime', '@polygres/runtime/*'],
  define: { __PROTO_DESCRIPTOR__: JSON.stringify(descriptor) },
  logLevel: 'warning',
});

// A filesystem mirror holding this build as version `version` of polygres/polygres, so that
// `terraform init` (which `cdktf deploy` runs, and which dev_overrides do not satisfy)
// installs the provider without a registry. Unpacked layout:
// <mirror>/registry.terraform.io/polygres/polygres/<version>/<os>_<arch>/terraform-provider-polygres_v<version>
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = `${{ win32: 'windows' }[process.platform] ?? process.platform}_${{ x64: 'amd64', ia32: '386' }[process.arch] ?? process.arch}`;
const packageDir = join(root, 'dist', 'mirror', 'registry.terraform.io', 'polygres', 'polygres', version, target);
rmSync(join(root, 'dist', 'mirror'), { recursive: true, force: true });
mkdirSync(packageDir, { recursive: true });
const launcher = join(packageDir, `terraform-provider-polygres_v${version}`);
writeFileSync(launcher, `#!/usr/bin/env node\n'use strict';\nrequire(${JSON.stringify(join(root, 'dist', 'provider.js'))});\n`);
chmodSync(launcher, 0o755);
