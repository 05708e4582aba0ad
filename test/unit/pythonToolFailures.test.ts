/**
 * How the Python tool's failures end: a tool past its timeout is killed with every process it started
 * (its process group: the CPU session probe is a child of the tool), the probe itself answers a
 * session that does not come within its timeout instead of raising, and what fails in onnxruntime's
 * transformer optimizer or on a non-tensor input is a refusal of the model (not a crash retried as infrastructure).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { runPythonTool } from '../../activities/python/pythonTool';
import { PYTHON_TOOL_ROOT, venvPython } from '../../activities/python/venv';

let home: string;
const saved = { ...process.env };

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'modelship-pytool-'));
});
afterEach(() => {
  process.env = { ...saved };
});
afterAll(() => rm(home, { recursive: true, force: true }));

/** Whether a process runs (Linux: a zombie, killed but not yet reaped by an init that does not reap, has stopped). */
async function running(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

test('a tool killed for its timeout takes the processes it started with it', async () => {
  const pidFile = path.join(home, 'grandchild.pid');
  // A stand-in interpreter that starts a long child (as the tool starts the CPU session probe) and waits.
  const python = path.join(home, 'python');
  await writeFile(python, `#!/bin/sh\nsleep 600 &\necho $! > ${pidFile}\nwait\n`, { mode: 0o755 });
  process.env.MODELSHIP_PYTHON = python;
  await expect(runPythonTool('fp16', {}, z.unknown(), { timeoutMs: 1000 })).rejects.toThrow(/did not finish within 1000 ms/);
  const grandchild = Number(await readFile(pidFile, 'utf8'));
  // SIGKILL ends it at once (without the group kill it would sleep on, and this would wait until jest's timeout).
  while (await running(grandchild)) await sleep(50);
  expect(await running(grandchild)).toBe(false);
});

test('the CPU session probe answers a session that does not come within its timeout', () => {
  const script = `import sys\nsys.path.insert(0, ${JSON.stringify(PYTHON_TOOL_ROOT)})\nfrom cpuSessionProbe import cpu_session_crash\nprint(cpu_session_crash("/nonexistent.onnx", timeout=0.001))`;
  expect(execFileSync(venvPython(), ['-c', script], { encoding: 'utf8' }).trim()).toBe('no session within 0.001 s');
});

test("a failure of onnxruntime's transformer optimizer after fusing, and a non-tensor input to static int8, are refusals with the reason", () => {
  const script = `import json, os, shutil, sys, tempfile
sys.path.insert(0, ${JSON.stringify(PYTHON_TOOL_ROOT)})
import numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
from toolRefusal import Refused
def save(nodes, inputs, output, initializers, name):
    model = helper.make_model(helper.make_graph(nodes, "g", inputs, [output], initializers), opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, os.path.join(tmp, name))
    return os.path.join(tmp, name)
def refusal(run):
    try:
        run()
    except Refused as e:
        return [e.kind, str(e)]
tmp = tempfile.mkdtemp()
# An attention block (MatMul -> Softmax -> MatMul); the optimizer's result fails when its fused operators are counted.
attention = save([helper.make_node("MatMul", ["q", "k"], ["s"]), helper.make_node("Softmax", ["s"], ["p"], axis=-1), helper.make_node("MatMul", ["p", "v"], ["y"])],
                 [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 4, 4]) for n in "qkv"], helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4, 4]), [], "a.onnx")
import onnxruntime.transformers.optimizer as optimizer
class Broken:
    def get_fused_operator_statistics(self):
        raise KeyError("Attention")
optimizer.optimize_model = lambda *args, **kwargs: Broken()
from transformerFusion import fuse_transformer
out = [refusal(lambda: fuse_transformer({"model": attention, "output": os.path.join(tmp, "f.onnx")}))]
# A sequence input.
sequence = save([helper.make_node("SequenceAt", ["xs", "i"], ["x"]), helper.make_node("MatMul", ["x", "w"], ["y"])],
                [helper.make_tensor_sequence_value_info("xs", TensorProto.FLOAT, [2, 3])], helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4]),
                [numpy_helper.from_array(np.array(0, np.int64), "i"), numpy_helper.from_array(np.ones((3, 4), np.float32), "w")], "s.onnx")
from int8Quantization import quantize_int8
request = {"model": sequence, "output": os.path.join(tmp, "q.onnx"), "int8": {"method": "static"}, "calibration": {"bundle": os.path.join(tmp, "none.json"), "source": "drawn"}}
out.append(refusal(lambda: quantize_int8(request)))
shutil.rmtree(tmp)
print(json.dumps(out))`;
  const out = execFileSync(venvPython(), ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  expect(JSON.parse(out.trim().split('\n').pop() ?? 'null')).toEqual([
    ['OptimizationFailed', "onnxruntime's transformer optimizer failed: KeyError: 'Attention'"],
    ['OptimizationFailed', 'static int8 calibrates tensor inputs only: xs (a sequence or map) is not one'],
  ]);
});
