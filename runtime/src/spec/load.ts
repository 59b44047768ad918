import { readFileSync } from 'node:fs';
import { SpecError } from './spec-error';
import { type ValidatedSpec, validateSpec } from './validate';

/** Reads and validates a ClusterSpec JSON file; every failure names the file. */
export function loadSpecFile(file: string): ValidatedSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SpecError([{ path: '', message: `cannot read ${file}: ${(error as Error).message}`, fix: 'pass the path of an existing spec file' }], file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SpecError([{ path: '', message: `not valid JSON: ${(error as Error).message}`, fix: 'write the spec as a JSON document' }], file);
  }
  return validateSpec(json, file);
}
