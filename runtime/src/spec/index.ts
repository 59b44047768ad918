export * from './schema';
export * from './spec-error';
export { validateSpec, type ValidatedSpec } from './validate';
export { defaultSpec } from './defaults';
export { loadSpecFile } from './load';
export { clusterSpecJsonSchema } from './json-schema';
export { PROTECTED_PARAMETERS } from './protected-parameters';
export { specChanges, describeChange, type SpecChange, type ChangeEffect } from './spec-changes';
