"""The pre-processing run before every int8 pass, so the quantizers see plain weights and known shapes:
1. weights that are not plain initializers become initializers (constant folding): initializers also
   listed as graph inputs (old IR), `Constant` nodes, and nodes computed only from constants
   (`Identity` of an initializer, `Transpose`/`Cast`/`Reshape` of a weight, as Paddle and other
   exporters leave them), evaluated once with onnx's reference evaluator;
2. onnxruntime's `quant_pre_process`: symbolic shape inference, onnxruntime's graph cleanup, ONNX
   shape inference (without symbolic shapes when that part fails);
3. a mean over the spatial axes of an NCHW tensor (`ReduceMean` axes 2, 3: how PyTorch exports
   `x.mean(dim=(2, 3))`) becomes `GlobalAveragePool` (+ `Flatten` when the axes are dropped), the same
   values: onnxruntime has an int8 kernel for that op and none for ReduceMean, so the int8 path would
   leave int8 around it (on the benchmark's ResNet-style CNN, ~6% of the int8 copy's latency).
What could not run is said, never swallowed: `prepare` returns the notes that go in the lineage.
"""
import os

import numpy as np

# Ops never folded: random generators (a value per run) and quantize/dequantize nodes (an already
# quantized weight must stay quantized).
NOT_FOLDED = {"RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli", "QuantizeLinear", "DequantizeLinear"}
# Folded outputs larger than this stay computed (a Constant-of-shape blow-up is not a weight).
MAX_FOLDED_ELEMENTS = 64 * 1024 * 1024


def prepare(model_path, tmp):
    """The pre-processed model's path and notes on what was done (and what could not be, and why)."""
    import onnx

    model = onnx.load(model_path)
    # Exporters leave value_info that the quantizer's own shape inference can contradict; drop it.
    del model.graph.value_info[:]
    notes = []
    folded = fold_constant_weights(model)
    if folded:
        notes.append(f"constant folding: {folded} weight(s) made initializers")
    folded_path = os.path.join(tmp, "folded.onnx")
    onnx.save(model, folded_path)
    prepared = os.path.join(tmp, "prepared.onnx")
    path = pre_processed(folded_path, prepared, notes)
    pooled = onnx.load(path)
    means = spatial_means_as_pooling(pooled)
    if means:
        notes.append(f"{means} spatial mean(s) (ReduceMean over axes 2, 3) made GlobalAveragePool")
        path = os.path.join(tmp, "pooled.onnx")
        onnx.save(pooled, path)
    return path, notes


def pre_processed(folded_path, prepared, notes):
    """onnxruntime's `quant_pre_process` of the folded model: the path of what it wrote, or of the folded model when it could not run."""
    from onnxruntime.quantization.shape_inference import quant_pre_process

    try:
        quant_pre_process(folded_path, prepared, skip_symbolic_shape=False)
        notes.append("quant_pre_process (symbolic shape inference, graph cleanup, shape inference)")
        return prepared
    except Exception as e:  # noqa: BLE001  (said below, then tried without symbolic shapes)
        symbolic_failure = one_line(e)
    try:
        quant_pre_process(folded_path, prepared, skip_symbolic_shape=True)
        notes.append(f"quant_pre_process without symbolic shape inference (it failed: {symbolic_failure})")
        return prepared
    except Exception as e:  # noqa: BLE001  (the reason goes in the lineage; quantization is still tried)
        notes.append(f"quant_pre_process could not run: {one_line(e)}; quantized after constant folding only")
        return folded_path


def spatial_means_as_pooling(model):
    """Replaces each ReduceMean over axes 2 and 3 of a 4-D tensor by GlobalAveragePool (then Flatten when
    keepdims is 0: [N, C, 1, 1] → [N, C], as the mean gave); how many were replaced."""
    from onnx import helper, numpy_helper

    from onnx import TensorProto

    # GlobalAveragePool takes float tensors only: the rank and element type of each value, where shape inference found them.
    floats = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16}
    known = [v for v in [*model.graph.input, *model.graph.value_info] if v.type.HasField("tensor_type") and v.type.tensor_type.HasField("shape")]
    ranks = {v.name: len(v.type.tensor_type.shape.dim) for v in known if v.type.tensor_type.elem_type in floats}
    initializers = {i.name: i for i in model.graph.initializer}
    nodes, replaced = [], 0
    for node in model.graph.node:
        if node.op_type != "ReduceMean" or node.domain not in ("", "ai.onnx") or not node.input or ranks.get(node.input[0]) != 4:
            nodes.append(node)
            continue
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        # Axes: an attribute before opset 18, an input (a constant, here an initializer) from 18.
        axes_input = initializers.get(node.input[1]) if len(node.input) > 1 and node.input[1] else None
        axes = numpy_helper.to_array(axes_input) if axes_input is not None else attributes.get("axes")
        if axes is None or sorted(int(a) % 4 for a in np.asarray(axes).reshape(-1)) != [2, 3]:
            nodes.append(node)
            continue
        name = node.name or node.output[0]
        if attributes.get("keepdims", 1):
            nodes.append(helper.make_node("GlobalAveragePool", [node.input[0]], [node.output[0]], name=f"{name}_pool"))
        else:
            pooled = f"{node.output[0]}_pooled"
            nodes.append(helper.make_node("GlobalAveragePool", [node.input[0]], [pooled], name=f"{name}_pool"))
            nodes.append(helper.make_node("Flatten", [pooled], [node.output[0]], name=f"{name}_flatten", axis=1))
        replaced += 1
    if replaced:
        del model.graph.node[:]
        model.graph.node.extend(nodes)
    return replaced


def fold_constant_weights(model):
    """Makes every top-level value computed only from constants an initializer; how many were made."""
    from onnx import numpy_helper

    graph = model.graph
    constants = {init.name: init for init in graph.initializer}
    # Old IR versions list initializers as graph inputs too: a weight that a caller could override.
    overridable = [i for i in graph.input if i.name in constants]
    for i in overridable:
        graph.input.remove(i)
    made = len(overridable)
    outputs = {o.name for o in graph.output}
    progress = True
    while progress:
        progress = False
        for node in list(graph.node):
            values = None if outputs.intersection(node.output) else constant_outputs(model, node, constants)
            if values is None:
                continue
            for name, value in zip([o for o in node.output if o], values):
                tensor = numpy_helper.from_array(np.asarray(value), name)
                graph.initializer.append(tensor)
                constants[name] = tensor
            graph.node.remove(node)
            made += 1
            progress = True
    return made


def constant_outputs(model, node, constants):
    """The values of a node's outputs when they depend on constants only (else None)."""
    from onnx import numpy_helper

    if node.domain not in ("", "ai.onnx") or node.op_type in NOT_FOLDED or any(a.g.node or a.graphs for a in node.attribute):
        return None
    if node.op_type != "Constant" and (not node.input or any(i and i not in constants for i in node.input)):
        return None
    try:
        values = evaluate(model, node, {i: numpy_helper.to_array(constants[i]) for i in node.input if i})
    except Exception:  # noqa: BLE001  (an op the reference evaluator cannot run stays as it is)
        return None
    if any(np.asarray(v).dtype == object or np.asarray(v).size > MAX_FOLDED_ELEMENTS for v in values):
        return None
    return values


def evaluate(model, node, feeds):
    """One node run by onnx's reference evaluator, at the model's opset."""
    from onnx import helper
    from onnx.reference import ReferenceEvaluator

    graph = helper.make_graph(
        [node],
        "fold",
        [helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(value.dtype), value.shape) for name, value in feeds.items()],
        [helper.make_empty_tensor_value_info(name) for name in node.output if name],
    )
    single = helper.make_model(graph, opset_imports=model.opset_import, ir_version=model.ir_version)
    return ReferenceEvaluator(single).run(None, feeds)


def one_line(error):
    """An exception as one line (onnxruntime puts the detail on the lines after the first), at most 400 characters."""
    return (" ".join(line.strip() for line in str(error).strip().split("\n") if line.strip()) or type(error).__name__)[:400]
