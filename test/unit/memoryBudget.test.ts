/** A replica's memory budget: sizes as written, loads admitted or refused with the numbers, released sessions given back. */
import type { ModelSession } from '../../runtime';
import { formatByteSize, MemoryBudget, parseByteSize } from '../../serving/memoryBudget';

const session = (released: string[], name: string): ModelSession => ({
  signature: { inputs: [], outputs: [] },
  runtime: { name: 'fake', version: '0' } as unknown as ModelSession['runtime'],
  run: () => Promise.resolve({}),
  release: () => {
    released.push(name);
    return Promise.resolve();
  },
});

test('sizes: binary and decimal units, plain bytes; nonsense refused with an example', () => {
  expect(parseByteSize('4GiB')).toBe(4 * 2 ** 30);
  expect(parseByteSize('512 MiB')).toBe(512 * 2 ** 20);
  expect(parseByteSize('2GB')).toBe(2e9);
  expect(parseByteSize('1048576')).toBe(1048576);
  expect(() => parseByteSize('lots')).toThrow('"lots" is not a size: write it like 4GiB');
  expect(formatByteSize(1536 * 2 ** 20)).toBe('1.5 GiB');
});

test('a load within the budget is admitted and counted until its session is released', async () => {
  const budget = new MemoryBudget(1000);
  const released: string[] = [];
  budget.admit('m1', 600);
  const held = budget.charge(session(released, 'm1'), 600);
  expect(budget.usedBytes).toBe(600);
  expect(() => budget.admit('model m2 (2 instance(s))', 500)).toThrow(
    "model m2 (2 instance(s)) needs ~500 B, over this replica's memory budget of 1000 B (600 B in use): place it on a pool with more memory, or raise --memory-budget",
  );
  await held.release();
  expect(released).toEqual(['m1']);
  expect(budget.usedBytes).toBe(0);
  expect(() => budget.admit('m2', 500)).not.toThrow();
});

test('the default budget is a share of the host memory', () => {
  expect(new MemoryBudget().budgetBytes).toBeGreaterThan(0);
});
