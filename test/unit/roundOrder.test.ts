import { roundOrder, roundRuns } from '../../activities/benchmark/roundOrder';

describe('roundOrder', () => {
  it('runs every model once per round, starting one later each round', () => {
    expect(roundOrder(0, 3)).toEqual([0, 1, 2]);
    expect(roundOrder(1, 3)).toEqual([1, 2, 0]);
    expect(roundOrder(2, 3)).toEqual([2, 0, 1]);
    expect(roundOrder(3, 3)).toEqual([0, 1, 2]);
  });

  it('puts each model first equally often, and in every position equally often', () => {
    const count = 5;
    const rounds = 10 * count;
    const positions = Array.from({ length: count }, () => Array<number>(count).fill(0));
    for (let r = 0; r < rounds; r++) {
      const order = roundOrder(r, count);
      expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
      order.forEach((model, position) => {
        const row = positions[model] as number[];
        row[position] = (row[position] ?? 0) + 1;
      });
    }
    for (const perPosition of positions) expect(perPosition).toEqual(Array<number>(count).fill(rounds / count));
  });

  it('gives the middle model of three the first slot too (alternating orders never did)', () => {
    const firsts = Array.from({ length: 6 }, (_, r) => roundOrder(r, 3)[0]);
    expect(firsts.filter((m) => m === 1)).toHaveLength(2);
  });

  it('handles one model and none', () => {
    expect(roundOrder(7, 1)).toEqual([0]);
    expect(roundOrder(3, 0)).toEqual([]);
  });
});

describe('roundRuns', () => {
  it('gives each model a turn of consecutive runs, turns in round order', () => {
    expect(roundRuns(0, 3, 2)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(roundRuns(1, 3, 2)).toEqual([1, 1, 2, 2, 0, 0]);
  });

  it('runs every model equally often in a round', () => {
    const runs = roundRuns(4, 5, 4);
    for (let model = 0; model < 5; model++) expect(runs.filter((m) => m === model)).toHaveLength(4);
  });

  it('is one run per turn at 1 (or less), as roundOrder', () => {
    expect(roundRuns(2, 3, 1)).toEqual(roundOrder(2, 3));
    expect(roundRuns(2, 3, 0)).toEqual(roundOrder(2, 3));
  });
});
