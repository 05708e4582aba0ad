/** "Did you mean …?" for mistyped commands and flags. */
import { closestMatch, didYouMean, editDistance } from '../../cli/closestMatch';

test('edit distance counts insertions, deletions, substitutions and swapped neighbours as one each', () => {
  expect(editDistance('status', 'status')).toBe(0);
  expect(editDistance('staus', 'status')).toBe(1);
  expect(editDistance('wiat', 'wait')).toBe(1);
  expect(editDistance('deplyo', 'deploy')).toBe(1);
  expect(editDistance('', 'abc')).toBe(3);
  expect(editDistance('kitten', 'sitting')).toBe(3);
});

test('the nearest candidate is suggested, a prefix counts as near, and nothing far is', () => {
  const commands = ['dev', 'deploy', 'status', 'history', 'traffic', 'rollback'];
  expect(closestMatch('staus', commands)).toBe('status');
  expect(closestMatch('deplyo', commands)).toBe('deploy');
  expect(closestMatch('hist', commands)).toBe('history');
  expect(closestMatch('Traffic', commands)).toBe('traffic');
  expect(closestMatch('frobnicate', commands)).toBeUndefined();
  expect(didYouMean('requsts', ['requests', 'rate'], (n) => `--${n}`)).toBe('; did you mean --requests?');
  expect(didYouMean('zzz', ['requests'])).toBe('');
});
