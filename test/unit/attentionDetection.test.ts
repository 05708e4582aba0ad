/**
 * When the transformer pass applies: the detection in activities/python/transformerFusion.py, run on
 * small graphs built by test/support/attentionGraphs.py (the toolchain's Python, no model files).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PYTHON_TOOL_ROOT, venvPython } from '../../activities/python/venv';

interface Decision {
  facts: { attentionBlocks: number; causalMasks: number; layerNorms: number; gelus: number };
  skipped: string | null;
  modelType: 'bert' | 'gpt2';
}

let decisions: Record<string, Decision>;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)(venvPython(), [path.join(__dirname, '..', 'support', 'attentionGraphs.py')]);
  decisions = JSON.parse(stdout) as Record<string, Decision>;
});

test('an attention block (MatMul → Softmax → MatMul) makes the pass apply, as bert', () => {
  expect(decisions.attention).toEqual({ facts: { attentionBlocks: 1, causalMasks: 0, layerNorms: 1, gelus: 1 }, skipped: null, modelType: 'bert' });
});

test('a causal mask between the scores and the Softmax (whatever input the scores are) makes it gpt2', () => {
  expect(decisions.causal?.facts.causalMasks).toBe(1);
  expect(decisions.causal?.modelType).toBe('gpt2');
  expect(decisions.causal?.skipped).toBeNull();
});

test('a layer norm written as ReduceMean → Sub counts as one', () => {
  expect(decisions.reduceMeanNorm?.facts.layerNorms).toBe(1);
});

test('a Softmax without attention (a classifier head) or GELUs alone skip the pass, saying what was found', () => {
  expect(decisions.classifier?.facts.attentionBlocks).toBe(0);
  expect(decisions.classifier?.skipped).toBe(
    "no attention block (MatMul → Softmax → MatMul) in the graph (0 layer norm(s), 0 GELU/Erf): onnxruntime's transformer optimizer has nothing to fuse",
  );
  expect(decisions.mlp?.skipped).toContain('(0 layer norm(s), 1 GELU/Erf)');
});

test('an attention block the optimizer fuses nothing of skips the pass and writes no copy', async () => {
  const script = `import json, os, shutil, sys, tempfile
sys.path.insert(0, ${JSON.stringify(PYTHON_TOOL_ROOT)})
import onnx
from onnx import helper, TensorProto
from transformerFusion import fuse_transformer
tmp = tempfile.mkdtemp()
# A bare MatMul -> Softmax -> MatMul: detected as attention, but no projection, mask or norm the optimizer's patterns fuse.
nodes = [helper.make_node("MatMul", ["q", "k"], ["s"]), helper.make_node("Softmax", ["s"], ["p"], axis=-1), helper.make_node("MatMul", ["p", "v"], ["y"])]
inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 4, 4]) for n in "qkv"]
model = helper.make_model(helper.make_graph(nodes, "g", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4, 4])]), opset_imports=[helper.make_opsetid("", 17)])
model.ir_version = 8
onnx.save(model, os.path.join(tmp, "a.onnx"))
answer = fuse_transformer({"model": os.path.join(tmp, "a.onnx"), "output": os.path.join(tmp, "f.onnx")})
print(json.dumps([answer.get("skipped"), os.path.exists(os.path.join(tmp, "f.onnx"))]))
shutil.rmtree(tmp)`;
  const { stdout } = await promisify(execFile)(venvPython(), ['-c', script]);
  expect(JSON.parse(stdout.trim().split('\n').pop() ?? 'null')).toEqual([
    "onnxruntime's transformer optimizer fused nothing in the bert graph (1 attention block(s)): the copy would be the fp32 model",
    false,
  ]);
});
