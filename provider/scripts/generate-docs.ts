/** Writes provider/README.md from the schemas: `npm run docs -w provider`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReadme } from '../src/docs/render-readme';

writeFileSync(join(__dirname, '..', 'README.md'), renderReadme());
