/** The watch a rollout asks for (spec defaults, blue/green's alias, a direct release's), and the intervals it judges at. */
import { parseOrThrow, pipelineSpec, type PipelineSpecInput } from '../../sdk/schemas';
import { plannedAnalyses } from '../../workflows/rollout/plannedAnalyses';
import { isWatchedSwitch, watchedSwitch, watchIntervals, watchPlanOf } from '../../workflows/rollout/watchPlan';

const parse = (rollout: PipelineSpecInput['rollout']) =>
  parseOrThrow(pipelineSpec, { endpoint: 'iris', version: 'v2', model: { source: './m.onnx' }, rollout }, 'test').rollout;

describe('watchPlanOf', () => {
  test('a canary watches 2 m, judged every 30 s, by its own analysis, unless its spec says otherwise', () => {
    const rollout = parse({ strategy: 'canary', analysis: { minSamples: 7 } });
    expect(watchPlanOf(rollout)).toEqual({
      durationMs: 120_000,
      intervalMs: 30_000,
      checks: expect.objectContaining({ minSamples: 7 }),
      onInconclusive: 'promote',
    });
    const own = parse({ strategy: 'canary', watch: { duration: '10s', interval: '2s', checks: { minSamples: 3 } } });
    expect(watchPlanOf(own)).toEqual({ durationMs: 10_000, intervalMs: 2000, checks: expect.objectContaining({ minSamples: 3 }), onInconclusive: 'promote' });
  });

  test('a canary with no analysed step has no default watch; an explicit watch still applies', () => {
    const unjudged = [
      { weight: 50, analysis: false },
      { weight: 100, analysis: false },
    ];
    expect(watchPlanOf(parse({ strategy: 'canary', steps: unjudged }))).toBeUndefined();
    expect(watchPlanOf(parse({ strategy: 'canary', steps: [{ weight: 50, analysis: false }, { weight: 100 }] }))).toMatchObject({ durationMs: 120_000 });
    expect(watchPlanOf(parse({ strategy: 'canary', steps: unjudged, watch: { duration: '1m' } }))).toMatchObject({ durationMs: 60_000, intervalMs: 30_000 });
  });

  test('a watch without a verdict promotes for canary and direct, rolls back for blue/green, unless onInconclusive says otherwise', () => {
    expect(watchPlanOf(parse({ strategy: 'canary' }))).toMatchObject({ onInconclusive: 'promote' });
    expect(watchPlanOf(parse({ strategy: 'direct', watch: {} }))).toMatchObject({ onInconclusive: 'promote' });
    expect(watchPlanOf(parse({ strategy: 'blueGreen' }))).toMatchObject({ onInconclusive: 'rollback' });
    expect(watchPlanOf(parse({ strategy: 'blueGreen', watch: { duration: '8s' } }))).toMatchObject({ onInconclusive: 'rollback' });
    expect(watchPlanOf(parse({ strategy: 'canary', watch: { onInconclusive: 'rollback' } }))).toMatchObject({ onInconclusive: 'rollback' });
    expect(watchPlanOf(parse({ strategy: 'blueGreen', watch: { onInconclusive: 'promote' } }))).toMatchObject({ onInconclusive: 'promote' });
  });

  test('a duration of 0 turns the watch off', () => {
    expect(watchPlanOf(parse({ strategy: 'canary', watch: { duration: 0 } }))).toBeUndefined();
    expect(watchPlanOf(parse({ strategy: 'blueGreen', rollbackWindow: 0 }))).toBeUndefined();
  });

  test("blue/green's rollbackWindow and analysisInterval are the watch's duration and interval, unless watch is given", () => {
    const alias = parse({ strategy: 'blueGreen', rollbackWindow: '3s', analysisInterval: '1s', analysis: { minSamples: 9 } });
    expect(watchPlanOf(alias)).toEqual({ durationMs: 3000, intervalMs: 1000, checks: expect.objectContaining({ minSamples: 9 }), onInconclusive: 'rollback' });
    expect(watchPlanOf(parse({ strategy: 'blueGreen' }))).toMatchObject({ durationMs: 300_000, intervalMs: 30_000 });
    expect(watchPlanOf(parse({ strategy: 'blueGreen', rollbackWindow: '3s', watch: { duration: '8s', interval: '4s' } }))).toMatchObject({
      durationMs: 8000,
      intervalMs: 4000,
    });
  });

  test('a direct release has no watch unless asked; asked, it judges by the default thresholds and runs as a canary without steps', () => {
    expect(watchPlanOf(parse({ strategy: 'direct' }))).toBeUndefined();
    const direct = parse({ strategy: 'direct', watch: { duration: '1m' } });
    expect(watchPlanOf(direct)).toEqual({
      durationMs: 60_000,
      intervalMs: 30_000,
      checks: expect.objectContaining({ minSamples: 100 }),
      onInconclusive: 'promote',
    });
    if (direct.strategy !== 'direct') throw new Error('unreachable');
    const switched = watchedSwitch(direct);
    expect(switched).toMatchObject({ strategy: 'canary', steps: [], maxBakeExtensions: 0, watch: { duration: 60_000 } });
    expect(switched && isWatchedSwitch(switched)).toBe(true);
    expect(isWatchedSwitch(parse({ strategy: 'canary' }))).toBe(false);
    expect(watchedSwitch({ ...direct, watch: { ...direct.watch!, duration: 0 } })).toBeUndefined();
  });
});

describe('watchIntervals', () => {
  test('intervals of `interval` each, the last one shorter when it does not divide the duration', () => {
    expect(watchIntervals(6000, 2000)).toEqual([2000, 2000, 2000]);
    expect(watchIntervals(5000, 2000)).toEqual([2000, 2000, 1000]);
    expect(watchIntervals(1000, 5000)).toEqual([1000]);
  });

  test('an interval of 0 judges once at the end; no duration, no interval', () => {
    expect(watchIntervals(4000, 0)).toEqual([4000]);
    expect(watchIntervals(0, 1000)).toEqual([]);
  });
});

describe('plannedAnalyses', () => {
  const progressive = (rollout: PipelineSpecInput['rollout']) => {
    const parsed = parse(rollout);
    if (parsed.strategy === 'direct') throw new Error('a progressive rollout');
    return parsed;
  };

  test("a canary's analysed steps, its header-matched step, and its watch's intervals against the previous version and (after the first) against the first", () => {
    const canary = progressive({ strategy: 'canary', steps: [{ weight: 25 }, { weight: 50 }, { weight: 75, analysis: false }] });
    // 2 analysed steps + 4 intervals of the default 2 m watch + 3 of them against the first.
    expect(plannedAnalyses(canary, watchPlanOf(canary), true)).toBe(9);
    // Runs from before the watch judged against its first interval: 2 + 4.
    expect(plannedAnalyses(canary, watchPlanOf(canary), false)).toBe(6);
    const matched = progressive({ strategy: 'canary', headerMatch: { header: 'x-canary' }, steps: [{ weight: 50 }], watch: { duration: 0 } });
    expect(plannedAnalyses(matched, watchPlanOf(matched), true)).toBe(2);
  });

  test('blue/green judges its window; a rollout with nothing to judge still counts one', () => {
    const blueGreen = progressive({ strategy: 'blueGreen', rollbackWindow: '3s', analysisInterval: '1s' });
    expect(plannedAnalyses(blueGreen, watchPlanOf(blueGreen), true)).toBe(5);
    const unjudged = progressive({ strategy: 'canary', steps: [{ weight: 50, analysis: false }] });
    expect(plannedAnalyses(unjudged, watchPlanOf(unjudged), true)).toBe(1);
  });
});
