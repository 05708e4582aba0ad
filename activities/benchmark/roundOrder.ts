/**
 * The order models run in within one round of an interleaved benchmark: round-robin with a start that
 * rotates every round, so each model runs first (just after the pause between rounds, or after a
 * heartbeat) equally often, and each follows every position in turn. With a fixed or merely alternating
 * order, whichever model ran first after a pause looked slower by order alone. A model's turn may be
 * several consecutive runs ({@link roundRuns}). Pure.
 */

/** The model indices (0 … count-1) in the order round `round` runs them: starting at `round mod count`. */
export function roundOrder(round: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (round + i) % count);
}

/**
 * Every run of round `round`, as model indices: each model's turn is `runsPerTurn` consecutive runs,
 * turns in {@link roundOrder}. Consecutive runs are how a served version runs (request after request on
 * its own instance); one run per turn made every run follow another model's, paying for the other
 * model's caches and a wake-up of its own threads, a fixed cost that brought every ratio closer to 1.
 */
export function roundRuns(round: number, count: number, runsPerTurn: number): number[] {
  return roundOrder(round, count).flatMap((model) => Array<number>(Math.max(1, runsPerTurn)).fill(model));
}
