// Builds dist/provider.js: one bundle with the protobuf descriptor embedded (parsed from
// proto/*.proto here, once), so launching the provider parses no .proto and loads few files.
// The runtime (@polygres/runtime) stays external: the bundle requires its built code on use.
import { build } from 'esbuild';
import protobuf from 'protobufjs';
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
