/**
 * The int8 pass's choices: where calibration inputs come from (the spec's file, captured traffic,
 * the profile's samples, the profile's shapes, in that order; read from a real filesystem store),
 * which method `auto` picks from the model's ops, and how calibration rows are fed (Python, run
 * with the toolchain's interpreter).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { standaloneContext } from '../../activities/activityContext';
import { sourcePolicyFromEnv } from '../../activities/ingest/sourcePolicy';
import {
  CALIBRATION_MAX_BYTES,
  calibrationSeed,
  fitsInputs,
  pickCalibrationSource,
  withinBytes,
  writeCalibrationInputs,
} from '../../activities/optimize/calibrationInputs';
import { PYTHON_TOOL_ROOT, venvPython } from '../../activities/python/venv';
import { encodeCaptureBundle } from '../../runtime/capturedTraffic';
import { profileInputs } from '../../runtime/syntheticInputs';
import { encodeBundleRuns } from '../../runtime/tensorBundle';
import { FsArtifactStore, storeKeys, writeDocument } from '../../store';
import type { TensorSpec } from '../../sdk/schemas';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-calibration-'));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

test('calibration inputs come from the spec, else captured traffic, else the profile samples (unless they are the golden inputs), else the profile', () => {
  const profile = { inputs: {}, samples: 's3://data/samples.npz' };
  const goldenSource = 's3://data/golden.npz';
  expect(pickCalibrationSource({ source: 'store:calib.npz', capturedRequests: 3, profile })).toEqual({ kind: 'source', location: 'store:calib.npz' });
  expect(pickCalibrationSource({ capturedRequests: 3, profile })).toEqual({ kind: 'captured' });
  expect(pickCalibrationSource({ capturedRequests: 0, profile, goldenSource })).toEqual({ kind: 'profile samples', location: 's3://data/samples.npz' });
  // Without a golden source of their own, convert's golden inputs are the profile's samples: int8 would be judged on its calibration rows.
  expect(pickCalibrationSource({ capturedRequests: 0, profile })).toEqual({ kind: 'profile' });
  expect(pickCalibrationSource({ capturedRequests: 0, profile, goldenSource: profile.samples })).toEqual({ kind: 'profile' });
  expect(pickCalibrationSource({ capturedRequests: 0, profile: { inputs: {} } })).toEqual({ kind: 'profile' });
  expect(pickCalibrationSource({ capturedRequests: 0 })).toEqual({ kind: 'profile' });
});

test('the calibration inputs are written for the tool from the first source that has rows, saying where they came from', async () => {
  const store = new FsArtifactStore(path.join(dir, 'store'));
  const deps = { store, context: standaloneContext(), sources: { ...sourcePolicyFromEnv({}), roots: [dir] } };
  const inputs: TensorSpec[] = [{ name: 'x', datatype: 'FP32', shape: [-1, 3, -1, -1] }];
  const input = { inputs, calibration: { samples: 8 }, endpoint: 'cnn' };
  const out = (name: string) => mkdtemp(path.join(dir, `${name}-`));

  // Nothing captured, no profile: drawn from the signature, its spatial axes never 1, never the golden inputs (another seed).
  const drawn = await writeCalibrationInputs(deps, { ...input, golden: { seed: 0 } }, await out('drawn'));
  expect(drawn.source).toBe("inputs drawn from the model's signature, seed 1: x [8,3,16,16] (dynamic axes 16) (8 rows in one batch)");
  // Written one run at a time (a drawn set is one run).
  const drawnTensor = JSON.parse(await readFile((drawn as { bundle: string }).bundle, 'utf8')).runs[0].x;
  expect(drawnTensor.shape).toEqual([8, 3, 16, 16]);
  const golden = encodeBundleRuns(profileInputs(inputs, undefined, { samples: 8, seed: 0 }));
  expect('tensors' in golden ? golden.tensors.x?.data : undefined).toEqual(expect.any(String));
  expect('tensors' in golden ? golden.tensors.x?.data : undefined).not.toBe(drawnTensor.data);
  expect(calibrationSeed(0)).not.toBe(0);
  expect(calibrationSeed(7)).not.toBe(7);

  // The endpoint's captured requests, once there are some.
  const request = { x: { datatype: 'FP32' as const, shape: [2, 3, 4, 4], data: new Float32Array(96) } };
  const bundle = encodeCaptureBundle({ endpoint: 'cnn', version: 'v1', replicaId: 'r1', capturedAt: new Date(1000).toISOString() }, [
    { inputs: request, outputs: {} },
    { inputs: request, outputs: {} },
  ]);
  await writeDocument(store, storeKeys.capture('cnn', 'v1', 1000, 'r1', 0), bundle);
  const captured = await writeCalibrationInputs(deps, input, await out('captured'));
  expect(captured.source).toBe('captured traffic of cnn (2 request(s), 4 row(s), version(s) v1)');
  expect(JSON.parse(await readFile((captured as { bundle: string }).bundle, 'utf8')).runs).toHaveLength(2);

  // The spec's .npz comes first, read under the worker's source policy.
  const npz = path.join(dir, 'calibration.npz');
  await writeFile(npz, 'npz bytes');
  const given = await writeCalibrationInputs(deps, { ...input, calibration: { samples: 8, source: pathToFileURL(npz).href } }, await out('given'));
  expect(given.source).toBe(`stages.optimize.int8.calibration.source ${pathToFileURL(npz).href}`);
  expect(await readFile((given as { npz: string }).npz, 'utf8')).toBe('npz bytes');
  await expect(writeCalibrationInputs(deps, { ...input, calibration: { samples: 8, source: '/etc/passwd' } }, await out('outside'))).rejects.toThrow(
    /calibration inputs/,
  );
});

test('captured requests calibrate up to a byte budget, at least one', () => {
  const request = (rows: number) => ({ inputs: { x: { datatype: 'FP32' as const, shape: [rows, 4], data: new Float32Array(rows * 4) } } });
  const requests = [request(2), request(2), request(2)];
  expect(withinBytes(requests, 64)).toHaveLength(2);
  expect(withinBytes(requests, 1)).toHaveLength(1);
  expect(withinBytes(requests, CALIBRATION_MAX_BYTES)).toHaveLength(3);
});

test('captured requests calibrate only when they fit the model: names, datatypes, ranks and fixed dims', () => {
  const specs: TensorSpec[] = [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 8, 8] }];
  const x = (shape: number[], datatype: 'FP32' | 'FP16' = 'FP32') => ({ datatype, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  expect(fitsInputs({ x: x([2, 3, 8, 8]) }, specs)).toBe(true);
  expect(fitsInputs({ x: x([5, 3, 8, 8]) }, specs)).toBe(true);
  expect(fitsInputs({ image: x([2, 3, 8, 8]) }, specs)).toBe(false);
  expect(fitsInputs({ x: x([2, 3, 8, 8], 'FP16') }, specs)).toBe(false);
  expect(fitsInputs({ x: x([2, 3, 16, 16]) }, specs)).toBe(false);
  expect(fitsInputs({ x: x([2, 3, 8]) }, specs)).toBe(false);
  expect(fitsInputs({ x: x([2, 3, 8, 8]), mask: x([2, 8]) }, specs)).toBe(false);
});

test('captured traffic that does not fit the new model is left for the profile', async () => {
  const store = new FsArtifactStore(path.join(dir, 'store-renamed'));
  const deps = { store, context: standaloneContext(), sources: { ...sourcePolicyFromEnv({}), roots: [dir] } };
  // The stable version took `image`; the new model takes `x`.
  const request = { image: { datatype: 'FP32' as const, shape: [2, 3, 4, 4], data: new Float32Array(96) } };
  const meta = { endpoint: 'renamed', version: 'v1', replicaId: 'r1', capturedAt: new Date(1000).toISOString() };
  await writeDocument(store, storeKeys.capture('renamed', 'v1', 1000, 'r1', 0), encodeCaptureBundle(meta, [{ inputs: request, outputs: {} }]));
  const inputs: TensorSpec[] = [{ name: 'x', datatype: 'FP32', shape: [-1, 3, -1, -1] }];
  const picked = await writeCalibrationInputs(deps, { inputs, calibration: { samples: 4 }, endpoint: 'renamed' }, await mkdtemp(path.join(dir, 'renamed-')));
  expect(picked.source).toMatch(/^inputs drawn from the model's signature/);
});

/** Runs `code` with int8Quantization.py imported; its last printed line as JSON. */
function python(code: string): unknown {
  const script = `import json, shutil, sys\nsys.path.insert(0, ${JSON.stringify(PYTHON_TOOL_ROOT)})\nimport numpy as np\nfrom int8Quantization import *\n${code}`;
  return JSON.parse(
    execFileSync(venvPython(), ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .trim()
      .split('\n')
      .pop() ?? 'null',
  );
}

test('auto picks static int8 for convolutions and dynamic for MatMul/Gemm models; nothing to quantize skips the pass, whatever the method', () => {
  const choices = python(`
out = [choose_method("auto", c) for c in ({"Conv": 3, "Gemm": 1}, {"MatMul": 12, "Add": 4}, {"ConvTranspose": 1})]
out += [choose_method(m, {"MatMul": 1}) for m in ("static", "dynamic")]
out += [choose_method(m, {"TreeEnsembleClassifier": 1}) for m in ("auto", "static", "dynamic")]
print(json.dumps(out))`);
  const nothing = [null, 'no Conv/MatMul/Gemm to quantize: an int8 copy would be the fp32 model'];
  expect(choices).toEqual([
    ['static', 'auto: 3 convolution(s), 1 MatMul/Gemm: convolutions run fastest with static (QDQ) int8'],
    ['dynamic', 'auto: 0 convolution(s), 12 MatMul/Gemm, no convolutions: dynamic int8 for a MatMul/Gemm model'],
    ['static', 'auto: 1 convolution(s), 0 MatMul/Gemm: convolutions run fastest with static (QDQ) int8'],
    ['static', 'static as set (0 convolution(s), 1 MatMul/Gemm)'],
    ['dynamic', 'dynamic as set (0 convolution(s), 1 MatMul/Gemm)'],
    nothing,
    nothing,
    nothing,
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

/** Python that saves a MatMul model with a dynamic batch axis (`m.onnx`) in a new folder `tmp`. */
const MATMUL_MODEL = `
import os, tempfile, onnx
from onnx import helper, TensorProto, numpy_helper
tmp = tempfile.mkdtemp()
w = numpy_helper.from_array(np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32), "w")
x, y = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3]), helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4])
model = helper.make_model(helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g", [x], [y], [w]), opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
onnx.save(model, os.path.join(tmp, "m.onnx"))
`;

test('entropy and percentile calibration take rows that do not fill equal batches (40 rows), in runs of one shape', () => {
  const out = python(`${MATMUL_MODEL}
np.savez(os.path.join(tmp, "c.npz"), x=np.random.default_rng(1).standard_normal((40, 3)).astype(np.float32))
out = []
for method in ("entropy", "percentile", "minmax"):
    request = {"model": os.path.join(tmp, "m.onnx"), "output": os.path.join(tmp, f"{method}.onnx"), "int8": {"method": "static", "calibration": {"method": method}},
               "calibration": {"npz": os.path.join(tmp, "c.npz"), "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 3]}], "perSample": False, "source": "c.npz"}}
    out.append([quantize_int8(request)["parameters"]["calibration"]["rows"], os.path.exists(request["output"])])
# Runs of several shapes (captured requests of 2 and 3 rows, a profile's min and max shapes): the most common shape only.
runs = [{"x": np.zeros(s, np.float32)} for s in ((1, 3), (1, 5), (1, 3))]
out.append([r["x"].shape for r in most_common_shape(runs)])
shutil.rmtree(tmp)
print(json.dumps(out))`);
  expect(out).toEqual([
    [40, true],
    [40, true],
    [40, true],
    [
      [1, 3],
      [1, 3],
    ],
  ]);
});

test('an .npz calibration set is read as golden inputs are: a samples axis and scalar inputs, one run per sample', () => {
  // A fixed batch of 1 and a scalar (a VAD's sample rate): the file adds a samples axis, as for golden inputs.
  const rows = python(`
import os, tempfile, onnx
from onnx import helper, TensorProto, numpy_helper
tmp = tempfile.mkdtemp()
nodes = [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Cast", ["sr"], ["f"], to=TensorProto.FLOAT), helper.make_node("Mul", ["h", "f"], ["y"])]
ins = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3]), helper.make_tensor_value_info("sr", TensorProto.INT64, [])]
graph = helper.make_graph(nodes, "g", ins, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [numpy_helper.from_array(np.ones((3, 4), np.float32), "w")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
onnx.save(model, os.path.join(tmp, "m.onnx"))
np.savez(os.path.join(tmp, "c.npz"), x=np.random.default_rng(1).standard_normal((40, 1, 3)).astype(np.float32), sr=np.full(40, 16000))
specs = [{"name": "x", "datatype": "FP32", "shape": [1, 3]}, {"name": "sr", "datatype": "INT64", "shape": []}]
request = {"model": os.path.join(tmp, "m.onnx"), "output": os.path.join(tmp, "q.onnx"), "int8": {"method": "static"},
           "calibration": {"npz": os.path.join(tmp, "c.npz"), "inputs": specs, "perSample": True, "source": "c.npz"}}
rows = quantize_int8(request)["parameters"]["calibration"]["rows"]
shutil.rmtree(tmp)
print(json.dumps(rows))`);
  expect(rows).toBe(40);
});

test('calibration inputs that could not be had fail only a pass that needs them: auto on a MatMul model goes dynamic, static is refused', () => {
  const out = python(`${MATMUL_MODEL}
problem = {"type": "InvalidDataset", "message": "calibration inputs: file:///gone.npz does not exist"}
request = lambda method: {"model": os.path.join(tmp, "m.onnx"), "output": os.path.join(tmp, f"{method}.onnx"), "int8": {"method": method}, "calibrationProblem": problem}
out = [quantize_int8(request("auto"))["parameters"]["method"]]
try:
    quantize_int8(request("static"))
except Refused as e:
    out.append([e.kind, str(e)])
shutil.rmtree(tmp)
print(json.dumps(out))`);
  expect(out).toEqual(['dynamic', ['InvalidDataset', 'calibration inputs: file:///gone.npz does not exist']]);
});

test('pre-processing makes a mean over the spatial axes GlobalAveragePool (axes as attribute or input, kept or dropped), with the same values; other means stay', () => {
  const results = python(`
import onnx, onnxruntime as ort, tempfile
from onnx import TensorProto, helper, numpy_helper
from quantizationPreprocessing import spatial_means_as_pooling

def model(opset, shape, axes, keepdims, dtype=TensorProto.FLOAT):
    inputs = ["x"]
    inits = []
    attrs = {"keepdims": keepdims}
    if opset >= 18:
        inputs.append("axes")
        inits.append(numpy_helper.from_array(np.array(axes, np.int64), "axes"))
    else:
        attrs["axes"] = axes
    node = helper.make_node("ReduceMean", inputs, ["y"], **attrs)
    graph = helper.make_graph([node], "m", [helper.make_tensor_value_info("x", dtype, shape)], [helper.make_empty_tensor_value_info("y")], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)

x = np.random.default_rng(0).standard_normal((2, 3, 5, 4)).astype(np.float32)
def run(m):
    return ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
out = []
for opset, axes, keepdims in ((13, [2, 3], 0), (18, [-1, -2], 1), (18, [3, 2], 0)):
    m = model(opset, [2, 3, 5, 4], axes, keepdims)
    before = run(m)
    n = spatial_means_as_pooling(m)
    after = run(m)
    out.append([n, [node.op_type for node in m.graph.node], list(after.shape), bool(np.allclose(before, after, atol=1e-6))])
for m in (model(18, [2, 3, 5], [1, 2], 1), model(18, [2, 3, 5, 4], [1, 2], 1), model(18, [2, 3, 5, 4], [2, 3], 1, TensorProto.INT32)):
    out.append([spatial_means_as_pooling(m), [node.op_type for node in m.graph.node]])
print(json.dumps(out))
`);
  expect(results).toEqual([
    [1, ['GlobalAveragePool', 'Flatten'], [2, 3], true],
    [1, ['GlobalAveragePool'], [2, 3, 1, 1], true],
    [1, ['GlobalAveragePool', 'Flatten'], [2, 3], true],
    // Rank 3, other axes, an integer tensor: left as they are.
    [0, ['ReduceMean']],
    [0, ['ReduceMean']],
    [0, ['ReduceMean']],
  ]);
});
