import { InvalidSpecError } from '../../sdk/errors';
import { renderQuery } from '../../activities/analysis/prometheusChecks';
import { parseDurationMs, parseOrThrow, pipelineSpec, routingDocument } from '../../sdk/schemas';

const minimal = { endpoint: 'iris', version: 'v1', model: { source: './model.onnx' } };

describe('pipelineSpec', () => {
  test('fills safe defaults and turns durations into milliseconds', () => {
    const spec = parseOrThrow(pipelineSpec, minimal, 'test');
    expect(spec).toEqual({
      apiVersion: 'modelship/v1',
      endpoint: 'iris',
      version: 'v1',
      model: { source: './model.onnx', task: 'other' }, // no format: ingest reads it from the file
      targets: ['cpu'],
      stages: {
        ingest: { timeout: 300_000 },
        convert: { golden: { samples: 64, seed: 0 }, timeout: 600_000 },
        optimize: {
          enabled: true,
          passes: { cpu: ['graph', 'int8'], gpu: ['graph', 'fp16'] },
          int8: { method: 'auto', perChannel: true, calibration: { method: 'minmax', samples: 64 } },
          timeout: 600_000,
        },
        validate: {
          smokeTest: true,
          tolerances: {},
          int8MinAgreement: 0.99,
          allowBreakingChanges: false,
          behaviour: { enabled: true, minTop1Agreement: 0.95, maxMeanDelta: 0.03, maxMeanLogDelta: 0.1, rowSumTolerance: 0.001, maxAccuracyDropVsStable: 0.01 },
          timeout: 600_000,
        },
        benchmark: {
          enabled: true,
          batchSizes: [1],
          warmupRuns: 10,
          windowRuns: 50,
          stabilityTolerance: 0.1,
          budget: 20_000,
          minSpeedupPercent: 5,
          maxRegressionPercent: 10,
          regressionConfidence: 0.99,
          minRegressionMs: 0.05,
          timeout: 900_000,
        },
      },
      rollout: { strategy: 'direct', timeout: 120_000, minReplicas: 1 },
      serving: { maxConcurrency: 4, maxQueueSize: 256, queueTimeoutMs: 0, timeoutAction: 'reject' },
      scheduleToStartTimeout: 120_000,
      whenBusy: 'queue',
      onInfrastructureFailure: { action: 'wait', waitUpTo: 86_400_000, attempts: 8 },
    });
  });

  test.each([
    ['wait', { action: 'wait', waitUpTo: 86_400_000, attempts: 8 }],
    ['fail', { action: 'fail', waitUpTo: 86_400_000, attempts: 8 }],
    [
      { waitUpTo: '30m', attempts: 2 },
      { action: 'wait', waitUpTo: 1_800_000, attempts: 2 },
    ],
    [{ action: 'fail' }, { action: 'fail', waitUpTo: 86_400_000, attempts: 8 }],
  ])('onInfrastructureFailure %j parses to %j', (written, parsed) => {
    expect(parseOrThrow(pipelineSpec, { ...minimal, onInfrastructureFailure: written }, 'test').onInfrastructureFailure).toEqual(parsed);
  });

  test.each([['retry'], [{ attempts: 0 }], [{ action: 'wait', waitUpTo: 'forever' }], [{ action: 'wait', extra: true }]])(
    'onInfrastructureFailure %j is refused',
    (written) => {
      expect(() => parseOrThrow(pipelineSpec, { ...minimal, onInfrastructureFailure: written }, 'test')).toThrow(InvalidSpecError);
    },
  );

  test('framework models must declare their inputs', () => {
    const result = pipelineSpec.safeParse({ ...minimal, model: { source: 'm.pt2', format: 'pytorch' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['model', 'inputs'], message: expect.stringMatching(/needs its inputs declared/) });
  });

  test('names the path of every problem', () => {
    const bad = {
      endpoint: 'Not A DNS Label',
      version: 'v1',
      model: { source: '', format: 'keras' },
      stages: { benchmark: { windowRuns: 0, timeout: 'soon' } },
      rollout: { strategy: 'yolo' },
      extra: true,
    };
    let error: InvalidSpecError | undefined;
    try {
      parseOrThrow(pipelineSpec, bad, 'bad.yaml');
    } catch (e) {
      error = e as InvalidSpecError;
    }
    expect(error).toBeInstanceOf(InvalidSpecError);
    const paths = error?.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['endpoint', 'model.source', 'model.format', 'stages.benchmark.windowRuns', 'stages.benchmark.timeout', 'rollout.strategy', '']),
    );
    expect(error?.message).toContain('bad.yaml');
    expect(error?.issues.find((i) => i.path === 'stages.benchmark.timeout')?.message).toMatch(/"soon" is not a duration/);
    expect(error?.issues.find((i) => i.path === '')?.message).toMatch(/extra/);
  });

  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1.5s', 1500],
  ])('duration %s = %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  test.each(['', '10', 's', '5 m', '-1s', '1d'])('rejects the duration %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe('routingDocument', () => {
  const digest = 'a'.repeat(64);
  test('weights must sum to 100 and versions be unique', () => {
    expect(routingDocument.safeParse({ endpoint: 'e', generation: 1, versions: [{ version: 'v1', digest, weight: 90 }] }).success).toBe(false);
    expect(
      routingDocument.safeParse({
        endpoint: 'e',
        generation: 1,
        versions: [
          { version: 'v1', digest, weight: 50 },
          { version: 'v1', digest, weight: 50 },
        ],
      }).success,
    ).toBe(false);
    expect(routingDocument.safeParse({ endpoint: 'e', generation: 2, versions: [{ version: 'v1', digest, weight: 100 }] }).success).toBe(true);
  });
});

describe('rollout strategies', () => {
  const base = { endpoint: 'iris', version: 'v2', model: { source: '/m.onnx' } };
  test('blueGreen previews by shadow by default and keeps blue warm for 5 minutes', () => {
    const spec = parseOrThrow(pipelineSpec, { ...base, rollout: { strategy: 'blueGreen' } }, 'test');
    expect(spec.rollout).toMatchObject({ strategy: 'blueGreen', preview: { mode: 'shadow', percent: 100, bake: 60_000 }, rollbackWindow: 300_000 });
  });

  test('a Prometheus check needs a bound, and says where', () => {
    const checks = [{ name: 'p99', query: 'histogram_quantile(0.99, x)' }];
    expect(() =>
      parseOrThrow(pipelineSpec, { ...base, rollout: { strategy: 'canary', analysis: { prometheus: { url: 'http://prom:9090', checks } } } }, 'test'),
    ).toThrow(/rollout\.analysis\.prometheus\.checks\[0\]\.max: give max, min, or both/);
  });

  test('header-match phase header names are HTTP tokens', () => {
    expect(() => parseOrThrow(pipelineSpec, { ...base, rollout: { strategy: 'canary', headerMatch: { header: 'x canary' } } }, 'test')).toThrow(
      /rollout\.headerMatch\.header/,
    );
  });
});

describe('renderQuery', () => {
  test('fills the placeholders, the window in seconds', () => {
    expect(
      renderQuery('rate(x{endpoint="{{endpoint}}",version="{{ canary }}"}[{{window}}]) / on() rate(x{version="{{stable}}"}[{{window}}])', {
        endpoint: 'e',
        canary: 'v2',
        stable: 'v1',
        since: 0,
        until: 45_400,
      }),
    ).toBe('rate(x{endpoint="e",version="v2"}[45s]) / on() rate(x{version="v1"}[45s])');
  });
});
