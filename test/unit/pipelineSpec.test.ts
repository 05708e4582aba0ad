import { InvalidSpecError } from '../../sdk/errors';
import { parseDurationMs, parseOrThrow, pipelineSpec, routingDocument } from '../../sdk/schemas';

const minimal = { endpoint: 'iris', version: 'v1', model: { source: './model.onnx' } };

describe('pipelineSpec', () => {
  test('fills safe defaults and turns durations into milliseconds', () => {
    const spec = parseOrThrow(pipelineSpec, minimal, 'test');
    expect(spec).toEqual({
      apiVersion: 'modelship/v1',
      endpoint: 'iris',
      version: 'v1',
      model: { source: './model.onnx', format: 'onnx' },
      stages: {
        ingest: { timeout: 300_000 },
        validate: { smokeTest: true, timeout: 300_000 },
        benchmark: { enabled: true, target: 'cpu', batchSize: 1, warmupRuns: 10, runs: 100, timeout: 300_000 },
      },
      rollout: { strategy: 'direct', timeout: 120_000, minReplicas: 1 },
      serving: { maxConcurrency: 4, maxQueueSize: 256, queueTimeoutMs: 0, timeoutAction: 'reject' },
      scheduleToStartTimeout: 120_000,
    });
  });

  test('names the path of every problem', () => {
    const bad = {
      endpoint: 'Not A DNS Label',
      version: 'v1',
      model: { source: '', format: 'keras' },
      stages: { benchmark: { runs: 0, timeout: 'soon' } },
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
      expect.arrayContaining(['endpoint', 'model.source', 'model.format', 'stages.benchmark.runs', 'stages.benchmark.timeout', 'rollout.strategy', '']),
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
