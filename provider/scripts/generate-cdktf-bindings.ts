/**
 * Writes the cdktf bindings into constructs/src/render/polygres-provider/ from the provider's
 * schemas: `npm run bindings -w provider`. A test fails when they are out of date.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BINDINGS_DIR, renderBindings } from '../src/cdktf/render-bindings';

const dir = join(__dirname, '..', '..', BINDINGS_DIR);
mkdirSync(dir, { recursive: true });
const files = renderBindings();
// Only generated files live here: remove those of types that no longer exist.
for (const name of readdirSync(dir)) if (!files.has(name)) rmSync(join(dir, name));
for (const [name, text] of files) writeFileSync(join(dir, name), text);
