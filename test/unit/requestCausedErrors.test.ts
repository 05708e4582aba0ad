import { causedByRequest } from '../../serving/requestCausedErrors';

const GATHER =
  "Non-zero status code returned while running Gather node. Name:'' Status Message: indices element out of data bounds, idx=100000 must be within the inclusive range [-10,9]";
const FEED = 'Got invalid dimensions for input: x for the following indices index: 1 Got: 3 Expected: 4';

test.each([
  ['a feed check, before any answer', FEED, false, true],
  ['a feed check, after answers', FEED, true, true],
  ['an out-of-range index, after answers', GATHER, true, true],
  ['an out-of-range index from a version that never answered (broken, not the request)', GATHER, false, false],
  ['a broadcast error, after answers', 'Attempting to broadcast an axis by a dimension other than 1. 2 by 3', true, true],
  ['anything else: the model', 'Non-zero status code returned while running MatMul node: out of memory', true, false],
])('%s → request caused it: %s', (_name, message, answered, expected) => {
  expect(causedByRequest(message, answered)).toBe(expected);
});
