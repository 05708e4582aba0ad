/** Exit codes of `modelship` commands (ARCHITECTURE.md): CI scripts branch on these. */
export const EXIT_CODES = {
  /** The version was promoted. */
  promoted: 0,
  /** The command succeeded (commands that deploy nothing: status, setup-namespace, …). Same number as `promoted`. */
  success: 0,
  /** Bad spec, unreachable server, or any other error. */
  error: 1,
  /** The rollout was rolled back (analysis or abort). */
  rolledBack: 2,
  /** The model was rejected before rollout (validation or benchmark gate). */
  rejected: 3,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
