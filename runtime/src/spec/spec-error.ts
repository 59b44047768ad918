/** One problem in a ClusterSpec: where it is, what is wrong, and how to fix it. */
export interface SpecProblem {
  /** Field path as a user would write it: `instances[1].zone`. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** Thrown when a spec is invalid; the message lists every problem, one per line. */
export class SpecError extends Error {
  constructor(readonly problems: readonly SpecProblem[], source = 'cluster spec') {
    super(`invalid ${source}:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'SpecError';
  }
}

export function formatProblem(problem: SpecProblem): string {
  return `  - ${problem.path || '(root)'}: ${problem.message} (fix: ${problem.fix})`;
}

/** Joins a zod-style path into `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
