"""The `transformer` optimization pass (command `fuse_transformer`): onnxruntime's transformer optimizer
(`onnxruntime.transformers.optimizer.optimize_model`) fusing attention, layer normalization and GELU
subgraphs into onnxruntime's contrib operators, for models that have attention blocks.

- Applies when the graph has an attention block (MatMul → Softmax → MatMul); a model without one
  answers {"skipped": reason} (with what it did find), and nothing is written; so does a graph in which
  the optimizer fused nothing (the copy would be the fp32 model).
- model_type `gpt2` when a causal mask (Trilu, or a Where) sits between the scores and the Softmax,
  else `bert`; num_heads and hidden_size 0 (the optimizer detects them); opt_level 0 (the optimizer's
  own fusions only: the file stays portable, and the serving session applies onnxruntime's graph
  optimizations at load as for every candidate).
- PyTorch's `nn.MultiheadAttention` (packed Q/K/V) is fused by packedAttentionFusion.py first, which
  the optimizer's patterns do not cover; that rewrite is kept only if the model answers as before on
  random inputs.
- With `quantize: "int8"` (the `transformer-int8` pass) the fused graph is then quantized with dynamic
  int8 as the int8 pass does it (int8Quantization.py, after its pre-processing; onnxruntime's quantizer
  knows the fused Attention operator: QAttention).
Parameters report the fused-operator counts the optimizer gives, and what the detection found.
"""
import os
import tempfile

import numpy as np

from packedAttentionFusion import fuse_packed_attention, packed_attention_blocks
from toolRefusal import Refused
from toolVersions import tool_versions

LAYER_NORMS = {"LayerNormalization", "SimplifiedLayerNormalization", "SkipLayerNormalization"}
GELUS = {"Gelu", "FastGelu", "BiasGelu", "Erf"}
SCORE_OPS = {"Mul", "Div", "Add", "Where", "Trilu", "Cast", "Sub"}


def attention_facts(model):
    """What makes a graph transformer-like: attention blocks (MatMul → Softmax → MatMul, with the causal
    masks among them), layer norms (the operator, or ReduceMean → Sub ... ReduceMean as exported by older
    opsets) and GELUs (the operator, or its Erf form)."""
    producer = {o: n for n in model.graph.node for o in n.output}
    consumers = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    attention, causal = 0, 0
    for softmax in (n for n in model.graph.node if n.op_type == "Softmax"):
        if not any(a.op_type == "MatMul" for a in consumers.get(softmax.output[0], [])):
            continue
        # Up from the scores through scaling and masking (any input: Where(mask, scores, -inf), Add(scores, mask)) to a MatMul.
        frontier, seen, scores, masked = [softmax.input[0]], set(), False, False
        for _ in range(8):
            nodes = [producer[t] for t in frontier if t in producer and t not in seen]
            seen.update(frontier)
            scores = scores or any(n.op_type == "MatMul" for n in nodes)
            masked = masked or any(n.op_type in ("Where", "Trilu") for n in nodes)
            frontier = [i for n in nodes if n.op_type in SCORE_OPS for i in n.input]
        attention += scores
        causal += scores and masked
    ops = [n.op_type for n in model.graph.node]
    reduce_mean_norms = sum(1 for n in model.graph.node if n.op_type == "ReduceMean" and any(c.op_type == "Sub" for c in consumers.get(n.output[0], [])))
    return {
        "attentionBlocks": attention,
        "causalMasks": causal,
        "layerNorms": sum(op in LAYER_NORMS for op in ops) + reduce_mean_norms,
        "gelus": sum(op in GELUS for op in ops),
    }


def skip_reason(facts):
    """Why the pass does not apply to a graph with these facts, or None when it does."""
    if facts["attentionBlocks"] > 0:
        return None
    found = f"{facts['layerNorms']} layer norm(s), {facts['gelus']} GELU/Erf"
    return f"no attention block (MatMul → Softmax → MatMul) in the graph ({found}): onnxruntime's transformer optimizer has nothing to fuse"


def model_type(facts):
    """The optimizer's model type: `gpt2` for decoders (a causal mask before the Softmax), else `bert`."""
    return "gpt2" if facts["causalMasks"] else "bert"


def _random_feeds(model, seed=0):
    import onnx

    rng = np.random.default_rng(seed)
    initializers = {t.name for t in model.graph.initializer}
    feeds = {}
    for value in (i for i in model.graph.input if i.name not in initializers):
        tensor = value.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else (2 if k == 0 else 8) for k, d in enumerate(tensor.shape.dim)]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(tensor.elem_type)
        feeds[value.name] = rng.standard_normal(shape).astype(dtype) if np.issubdtype(dtype, np.floating) else np.zeros(shape, dtype)
    return feeds


def _run(model, feeds, extra=()):
    import onnx
    import onnxruntime as ort

    model = onnx.ModelProto.FromString(model.SerializeToString())
    model.graph.output.extend(onnx.helper.make_empty_tensor_value_info(name) for name in extra)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))


def _fuse_packed_verified(model):
    """Fuses packed attention blocks on a copy; returns (model, count, note): the copy if it answers as the original."""
    import onnx

    blocks = packed_attention_blocks(model)
    if not blocks:
        return model, 0, None
    feeds = _random_feeds(model)
    before = _run(model, feeds, extra=[b["query"] for b in blocks])
    fused = onnx.ModelProto.FromString(model.SerializeToString())
    count = fuse_packed_attention(fused, lambda tensor: before[tensor].shape[-1])
    after = _run(fused, feeds)
    for output in model.graph.output:
        if not np.allclose(after[output.name], before[output.name], atol=1e-4, rtol=1e-3):
            return model, 0, "packed attention matched but answered differently: not fused"
    return fused, count, None


def fuse_transformer(request):
    import onnx
    import onnxruntime  # noqa: F401
    from onnxruntime.transformers.optimizer import optimize_model

    model = onnx.load(request["model"])
    facts = attention_facts(model)
    reason = skip_reason(facts)
    if reason:
        return {"skipped": reason, "parameters": facts, "toolVersions": tool_versions()}
    kind = model_type(facts)
    try:
        model, packed, note = _fuse_packed_verified(model)
    except Exception as e:  # noqa: BLE001  (the rule is an extra: without it the optimizer still runs)
        packed, note = 0, f"packed attention not fused: {type(e).__name__}: {e}"[:300]
    with tempfile.TemporaryDirectory() as tmp:
        prepared = os.path.join(tmp, "prepared.onnx")
        onnx.save(model, prepared)
        fused_path = os.path.join(tmp, "fused.onnx") if request.get("quantize") == "int8" else request["output"]
        # Counting the fused operators and saving walk the rewritten graph too: a failure there is the model's, not the worker's.
        try:
            optimizer = optimize_model(prepared, model_type=kind, num_heads=0, hidden_size=0, opt_level=0, use_gpu=False)
            fused = {k: v for k, v in optimizer.get_fused_operator_statistics().items() if v}
            optimizer.save_model_to_file(fused_path)
        except Exception as e:  # noqa: BLE001
            raise Refused("OptimizationFailed", f"onnxruntime's transformer optimizer failed: {type(e).__name__}: {e}"[:500])
        parameters = {"modelType": kind, "optLevel": 0, "fused": fused, "packedAttention": packed, **facts, **({"note": note} if note else {})}
        if not fused and not packed:
            if fused_path == request["output"]:
                os.remove(fused_path)
            reason = f"onnxruntime's transformer optimizer fused nothing in the {kind} graph ({facts['attentionBlocks']} attention block(s)): the copy would be the fp32 model"
            return {"skipped": reason, "parameters": parameters, "toolVersions": tool_versions()}
        if request.get("quantize") == "int8":
            parameters.update(_quantize_dynamic(fused_path, request["output"], tmp))
    return {"parameters": parameters, "toolVersions": tool_versions()}


def _quantize_dynamic(source, output, tmp):
    """Dynamic int8 of the fused graph, as the int8 pass quantizes (int8Quantization.py): after its pre-processing,
    whose symbolic shape inference knows onnxruntime's contrib operators; the fused Attention becomes QAttention."""
    from int8Quantization import quantize_dynamic_int8
    from quantizationPreprocessing import prepare

    work = os.path.join(tmp, "int8")
    os.makedirs(work)
    prepared, preprocessing = prepare(source, work)
    return {"quantized": "int8 dynamic", "preprocessing": preprocessing, **quantize_dynamic_int8(prepared, output, preprocessing)}
