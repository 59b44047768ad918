/** Options of `PolygresCluster.addUser`. */
export interface UserOptions {
  /**
   * Databases (declared with `addDatabase`, or `postgres`) the user gets all privileges on,
   * including creating objects in their `public` schema.
   * @default no database privileges
   */
  readonly databases?: string[];
}

/** A role created by `addUser`. */
export interface PolygresUser {
  /** Role name. */
  readonly name: string;
  /**
   * Kubernetes Secret with `username` and `password` (Kubernetes target); undefined on the
   * local target, which does not create roles yet.
   * @default undefined on the local target
   */
  readonly secretName?: string;
}
