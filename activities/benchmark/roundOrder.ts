/**
 * The order models run in within one round of an interleaved benchmark: round-robin with a start that
 * rotates every round, so each model runs first (just after the pause between rounds, or after a
 * heartbeat) equally often, and each follows every position in turn. With a fixed or merely alternating
 * order, whichever model ran first after a pause looked slower by order alone. Pure.
 */

/** The model indices (0 … count-1) in the order round `round` runs them: starting at `round mod count`. */
export function roundOrder(round: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (round + i) % count);
}
