/** The fault tests' check on a routing history: generations 1..N, each written once. */
import { generationProblems } from '../support/routingHistory';

test('generations 1..N in order have no problem', () => {
  expect(generationProblems([])).toEqual([]);
  expect(generationProblems([1, 2, 3, 4])).toEqual([]);
});

test('a gap, a duplicate and a step back are each named', () => {
  expect(generationProblems([1, 3])).toEqual(['gap: generation 3 follows 1']);
  expect(generationProblems([2])).toEqual(['gap: generation 2 follows 0']);
  expect(generationProblems([1, 2, 2, 3])).toEqual(['generation 2 written after 2']);
  expect(generationProblems([1, 2, 3, 2])).toEqual(['generation 2 written after 3']);
});
