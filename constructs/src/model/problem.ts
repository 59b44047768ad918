/** One finding about a declaration: which prop, what is wrong, how to fix it. */
export interface DeclarationProblem {
  readonly severity: 'error' | 'warning';
  /** The prop as a user wrote it: `zones[1].name`, `durability`, `addUser("app").databases`. */
  readonly prop: string;
  readonly message: string;
  readonly fix: string;
}

export function formatDeclarationProblem(problem: DeclarationProblem): string {
  return `${problem.prop}: ${problem.message} (fix: ${problem.fix})`;
}
