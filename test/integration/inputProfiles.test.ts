/**
 * Input profiles over the real stack (Temporal dev server, worker and gateway processes, onnxruntime):
 * a voice-activity-like model whose time axis must be at least 2 long (a reflect Pad), with a state
 * input and output and a scalar int64 sample rate, deploys from its profile (parity on several
 * profile-shaped golden runs) and also without one (default sizes, never 1 for the time axis); a
 * profile that disagrees with the model is refused with the input named; `modelship traffic` sends
 * profile-shaped requests and the rows of an `.npz`.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ModelshipClient } from '../../sdk/client';
import { loadPipelineSpec } from '../../sdk/specFile';
import type { PipelineSpecInput } from '../../sdk/schemas';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { startTraffic } from '../../cli/trafficGenerator';
import { DEFAULT_DYNAMIC_SIZE } from '../../runtime';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';
import { modelPath, runCli, tempDir } from '../support/testEnv';
import { startStack, type Stack } from '../support/stack';

let gateway: { process: ManagedProcess; url: string };
let client: ModelshipClient;
let stack: Stack;
let store: string;

beforeAll(async () => {
  stack = await startStack('store-profiles');
  ({ storeDir: store, gateway, client } = stack);
});

afterAll(() => stack?.stop());

const profile = {
  inputs: {
    audio: { shape: [1, 512], min: [1, 64], max: [1, 1536], range: [-1, 1] as [number, number] },
    state: { shape: [2, 1, 16], value: 0 },
    sr: { value: 16000 },
  },
};

function spec(endpoint: string, model: Partial<PipelineSpecInput['model']> = {}, optimize = false): PipelineSpecInput {
  return {
    endpoint,
    version: 'v1',
    model: { source: pathToFileURL(modelPath('vad')).href, ...model },
    stages: { convert: { golden: { samples: 6 } }, optimize: { enabled: optimize }, benchmark: { windowRuns: 5, budget: '1s' } },
    rollout: { strategy: 'direct', timeout: '30s' },
  };
}

test('a model whose time axis must be ≥ 2, with state and a scalar int64 input, deploys from its profile (examples/voice-activity)', async () => {
  const example = await loadPipelineSpec(path.join(PACKAGE_ROOT, 'examples/voice-activity/pipeline.yaml'));
  expect(example.model.profile).toEqual(profile);
  // The example's spec with the test's model file, six golden samples and a short benchmark.
  const result = await (
    await client.deploy({ ...spec('vad', { profile: example.model.profile }, true), model: { ...example.model, source: pathToFileURL(modelPath('vad')).href } })
  ).result();

  expect(result.failure).toBeUndefined();
  expect(result.outcome).toBe('promoted');
  expect(result.conversion?.goldenCount).toBe(6);
  expect(result.conversion?.goldenInputs).toBe(
    'audio [1,512]|[1,64]|[1,1536] from profile, uniform [-1, 1]; state [2,1,16] from profile = 0; sr scalar = 16000 (6 run(s))',
  );
  expect(result.validation?.io.inputs).toEqual([
    { name: 'audio', datatype: 'FP32', shape: [1, -1] },
    { name: 'state', datatype: 'FP32', shape: [2, 1, 16] },
    { name: 'sr', datatype: 'INT64', shape: [] },
  ]);
  expect(result.validation?.parity?.samples).toBe(6);
  expect(result.validation?.parity?.outputs.map((o) => [o.name, o.passed])).toEqual([
    ['speech', true],
    ['new_state', true],
  ]);
  expect(result.validation?.smokeTest?.inputs).toMatch(/^audio \[1,512\]\|\[1,64\]\|\[1,1536\] from profile/);

  // `modelship traffic` with the profile: every request profile-shaped, every one answered.
  const traffic = await startTraffic({ gateway: gateway.url, endpoint: 'vad', requests: 6, concurrency: 2, durationMs: 30_000, profile }).done;
  expect(traffic).toMatchObject({ issued: 6, failures: 0, served: { v1: 6 } });
});

test('the same model without a profile deploys on default sizes (the time axis is never 1)', async () => {
  const result = await (await client.deploy(spec('vad-default'))).result();

  expect(result.failure).toBeUndefined();
  expect(result.outcome).toBe('promoted');
  expect(result.conversion?.goldenCount).toBe(6); // a fixed batch of 1: one run per sample
  expect(result.validation?.parity?.samples).toBe(6);
  expect(result.validation?.parity?.outputs.every((o) => o.passed)).toBe(true);
  expect(result.validation?.smokeTest?.inputs).toContain(`audio [1,${DEFAULT_DYNAMIC_SIZE}] (dynamic axes ${DEFAULT_DYNAMIC_SIZE})`);

  // `modelship traffic --inputs samples.npz`: the rows of the file, one per request.
  const npz = path.join(await tempDir('vad-samples'), 'samples.npz');
  execFileSync(venvTool('python'), [
    '-c',
    'import numpy as np, sys; np.savez(sys.argv[1], audio=np.ones((3, 1, 400), np.float32), state=np.zeros((3, 2, 1, 16), np.float32), sr=np.full(3, 16000, np.int64))',
    npz,
  ]);
  const cli = await runCli(['traffic', 'vad-default', '--gateway', gateway.url, '--inputs', npz, '--requests', '3', '--concurrency', '1'], { storeUri: store });
  expect(cli.stdout).toMatch(/^3 request\(s\) in .* 0 failed; answers: \{"v1":3\}/);
  expect(cli.code).toBe(0);
});

test('a profile whose rank disagrees with the model is refused at convert, naming the input', async () => {
  const bad = { inputs: { audio: { shape: [512] } } };
  const result = await (await client.deploy(spec('vad-bad', { profile: bad }))).result();

  expect(result.outcome).toBe('rejected');
  expect(result.failure).toMatchObject({ type: 'InvalidGoldenInputs', stage: 'convert' });
  expect(result.failure?.message).toMatch(/profile shape of input 'audio' is \[512\], rank 1; the model's audio is \[1, -1\], rank 2/);
});
