/** Diagnostics as resources raise them, and their protocol form pointing at an attribute. */
import { MsgpackError } from '../msgpack/value';
import { type AttributePathStep, type ProtoDiagnostic, Severity } from './messages';

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  /** Attribute path: names and list indexes, e.g. ['spec_json'] or ['instances', 2, 'zone']. */
  readonly attribute?: readonly (string | number)[];
}

/** An error a resource raises on purpose: it becomes one diagnostic at its attribute. */
export class ProviderError extends Error {
  constructor(readonly summary: string, readonly detail?: string, readonly attribute?: readonly (string | number)[]) {
    super(detail ? `${summary}: ${detail}` : summary);
  }
}

export const errorAt = (attribute: readonly (string | number)[], summary: string, detail?: string): Diagnostic => ({
  severity: 'error',
  summary,
  ...(detail !== undefined ? { detail } : {}),
  attribute,
});

/** Any failure as a diagnostic: malformed values and resource errors say what went wrong. */
export function diagnosticFromError(error: unknown, context: string): Diagnostic {
  if (error instanceof ProviderError) {
    return { severity: 'error', summary: error.summary, ...(error.detail ? { detail: error.detail } : {}), ...(error.attribute ? { attribute: error.attribute } : {}) };
  }
  if (error instanceof MsgpackError) return { severity: 'error', summary: `${context}: malformed value from Terraform`, detail: error.message };
  return { severity: 'error', summary: `${context} failed`, detail: error instanceof Error ? error.message : String(error) };
}

export function toProtoDiagnostic(diagnostic: Diagnostic): ProtoDiagnostic {
  const steps: AttributePathStep[] | undefined = diagnostic.attribute?.map((step) => (typeof step === 'number' ? { elementKeyInt: step } : { attributeName: step }));
  return {
    severity: diagnostic.severity === 'error' ? Severity.ERROR : Severity.WARNING,
    summary: diagnostic.summary,
    ...(diagnostic.detail ? { detail: diagnostic.detail } : {}),
    ...(steps ? { attribute: { steps } } : {}),
  };
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean => diagnostics.some((d) => d.severity === 'error');
