/**
 * Errors that say what went wrong in the domain's terms, thrown by the node agent and the
 * orchestrator's actions; only the admin HTTP server turns them into status codes (409, 400).
 */

/** The request collides with the state right now (a higher term accepted, a rule that moved on): retry, or look first. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The request can never succeed as asked (a field names what is wrong and how to fix it). */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}

/** A term lower than one this node has already accepted (ARCHITECTURE.md, control path 2). */
export class StaleTermError extends ConflictError {
  constructor(readonly given: number, readonly accepted: number) {
    super(`term ${given} refused: term ${accepted} was already accepted`);
  }
}
