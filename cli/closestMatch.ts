/** "Did you mean …?": the candidate nearest a mistyped word (commands, flags), by edit distance. */

/** Edit distance between two words: insertions, deletions, substitutions and swaps of neighbours each count 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The candidate nearest `word` (a prefix of it counts as near), or `undefined` when none is close (over a third of its letters differ). */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(lower) && lower.length >= 2 ? 0.5 : editDistance(lower, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(Math.max(lower.length, best.candidate.length) / 3)) ? best.candidate : undefined;
}

/** `; did you mean X?` when a candidate is close, else nothing. */
export function didYouMean(word: string, candidates: readonly string[], show: (candidate: string) => string = (c) => c): string {
  const match = closestMatch(word, candidates);
  return match ? `; did you mean ${show(match)}?` : '';
}
