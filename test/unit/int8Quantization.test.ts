/**
 * The int8 pass's pure choices: where calibration inputs come from (the spec's file, captured
 * traffic, the profile's samples, the profile's shapes, in that order), which method `auto` picks
 * from the model's ops, and how calibration rows are fed (Python, run with the toolchain's interpreter).
 */
import { execFileSync } from 'node:child_process';
import { pickCalibrationSource } from '../../activities/optimize/calibrationInputs';
import { PYTHON_TOOL_ROOT, venvPython } from '../../activities/python/venv';

test('calibration inputs come from the spec, else captured traffic, else the profile samples, else the profile', () => {
  const profile = { inputs: {}, samples: 's3://data/samples.npz' };
  expect(pickCalibrationSource({ source: 'store:calib.npz', capturedRequests: 3, profile })).toEqual({ kind: 'source', location: 'store:calib.npz' });
  expect(pickCalibrationSource({ capturedRequests: 3, profile })).toEqual({ kind: 'captured' });
  expect(pickCalibrationSource({ capturedRequests: 0, profile })).toEqual({ kind: 'profile samples', location: 's3://data/samples.npz' });
  expect(pickCalibrationSource({ capturedRequests: 0, profile: { inputs: {} } })).toEqual({ kind: 'profile' });
  expect(pickCalibrationSource({ capturedRequests: 0 })).toEqual({ kind: 'profile' });
});

/** Runs `code` with int8Quantization.py imported; its last printed line as JSON. */
function python(code: string): unknown {
  const script = `import json, sys\nsys.path.insert(0, ${JSON.stringify(PYTHON_TOOL_ROOT)})\nimport numpy as np\nfrom int8Quantization import *\n${code}`;
  return JSON.parse(execFileSync(venvPython(), ['-c', script], { encoding: 'utf8' }).trim().split('\n').pop() ?? 'null');
}

test('auto picks static int8 for convolutions and dynamic for MatMul/Gemm models; nothing to quantize is refused', () => {
  const choices = python(`
out = [choose_method("auto", c) for c in ({"Conv": 3, "Gemm": 1}, {"MatMul": 12, "Add": 4}, {"ConvTranspose": 1})]
out += [choose_method(m, {"MatMul": 1}) for m in ("static", "dynamic")]
try:
    choose_method("auto", {"TreeEnsembleClassifier": 1})
except Refused as e:
    out.append([e.kind, str(e)])
print(json.dumps(out))`);
  expect(choices).toEqual([
    ['static', 'auto: 3 convolution(s), 1 MatMul/Gemm: convolutions run fastest with static (QDQ) int8'],
    ['dynamic', 'auto: 0 convolution(s), 12 MatMul/Gemm, no convolutions: dynamic int8 for a MatMul/Gemm model'],
    ['static', 'auto: 1 convolution(s), 0 MatMul/Gemm: convolutions run fastest with static (QDQ) int8'],
    ['static', 'static as set (0 convolution(s), 1 MatMul/Gemm)'],
    ['dynamic', 'dynamic as set (0 convolution(s), 1 MatMul/Gemm)'],
    ['OptimizationFailed', 'int8: the model has no Conv, MatMul or Gemm to quantize'],
  ]);
});

test('calibration rows are fed in runs the model takes, at most `samples` rows', () => {
  const shapes = python(`
x = {"x": np.zeros((40, 3), np.float32)}
shapes = lambda runs: [r["x"].shape[0] for r in runs]
state = {"x": np.zeros((1, 3), np.float32), "sr": np.array(16000)}
print(json.dumps([shapes(batched([x], 16, False, 64)), shapes(batched([x], 16, False, 20)), shapes(batched([x], 1, True, 3)),
                  shapes(batched([x], 8, True, 20)), shapes(batched([state, state], 1, True, 64))]))`);
  // A dynamic batch: chunks of 16; a fixed batch: exactly that many rows, remainders dropped; a scalar input: each run as it is.
  expect(shapes).toEqual([
    [16, 16, 8],
    [16, 4],
    [1, 1, 1],
    [8, 8],
    [1, 1],
  ]);
});
