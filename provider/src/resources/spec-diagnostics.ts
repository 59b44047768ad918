/**
 * Plan-time validation of a ClusterSpec with the runtime's own rules (the same the CLI and
 * the constructs apply), each problem a diagnostic at the attribute that holds the spec.
 */
import { type Diagnostic, ProviderError } from '../protocol/diagnostics';
import { runtime } from '../runtime/runtime';

type ValidatedSpec = import('@polygres/runtime').ValidatedSpec;

export type SpecCheck = { readonly ok: true; readonly validated: ValidatedSpec; readonly diagnostics: Diagnostic[] } | { readonly ok: false; readonly diagnostics: Diagnostic[] };

export function checkSpecJson(text: string, attribute: string): SpecCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, diagnostics: [{ severity: 'error', summary: `${attribute} is not valid JSON`, detail: `${(error as Error).message} (fix: build it with jsonencode({...}))`, attribute: [attribute] }] };
  }
  const { validateSpec, SpecError } = runtime().spec;
  try {
    const validated = validateSpec(json, attribute);
    const diagnostics: Diagnostic[] = validated.warnings.map((w) => ({ severity: 'warning', summary: `${attribute}: ${w.path}: ${w.message}`, detail: `fix: ${w.fix}`, attribute: [attribute] }));
    return { ok: true, validated, diagnostics };
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return {
      ok: false,
      diagnostics: error.problems.map((p) => ({ severity: 'error', summary: `invalid cluster spec: ${p.path || '(root)'}: ${p.message}`, detail: `${attribute} → ${p.path || '(root)'}: ${p.message}\nfix: ${p.fix}`, attribute: [attribute] })),
    };
  }
}

/** The validated spec, or a ProviderError carrying the first problem (for apply, after plan checked it). */
export function validSpec(text: string, attribute: string): ValidatedSpec {
  const check = checkSpecJson(text, attribute);
  if (check.ok) return check.validated;
  const first = check.diagnostics[0];
  throw new ProviderError(first?.summary ?? 'invalid cluster spec', first?.detail, [attribute]);
}
