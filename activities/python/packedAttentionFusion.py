"""Fusing PyTorch's `nn.MultiheadAttention` (packed Q/K/V projection) into one com.microsoft `Attention` node.

onnxruntime's transformer optimizer recognises the attention subgraphs of BERT/GPT-2-style exports
(separate Q, K and V projections); the dynamo exporter writes `nn.MultiheadAttention` differently: one
MatMul + Add projecting to [.., 3·D], a Reshape/Transpose/Gather split into Q, K and V, scale Muls,
MatMul → Softmax → MatMul, a head merge and the output projection (Gemm or MatMul + Add). This rule
finds that shape from each Softmax, and replaces it with
  Attention(h, W_qkv, b_qkv; num_heads, scale) → MatMul(W_out) → Add(b_out)
(with Transposes when the block is sequence-first). The caller verifies the rewritten model against the
original on random inputs and keeps the original when they disagree, so a near miss of the pattern
costs nothing but the attempt.
"""
from collections import defaultdict

import numpy as np

SHAPE_OPS = {"Reshape", "Transpose", "Squeeze", "Unsqueeze"}


class _Graph:
    def __init__(self, model):
        import onnx.numpy_helper as nh

        self.graph = model.graph
        self.producer = {o: n for n in model.graph.node for o in n.output}
        self.consumers = defaultdict(list)
        for n in model.graph.node:
            for i in n.input:
                self.consumers[i].append(n)
        self.consts = {t.name: nh.to_array(t) for t in model.graph.initializer}
        for n in model.graph.node:
            if n.op_type == "Constant":
                for a in n.attribute:
                    if a.name == "value":
                        self.consts[n.output[0]] = nh.to_array(a.t)

    def attr(self, node, name, default=None):
        import onnx

        for a in node.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    def scalar(self, name):
        value = self.consts.get(name)
        return float(value.reshape(-1)[0]) if value is not None and value.size == 1 else None

    def only_consumer(self, tensor):
        users = self.consumers.get(tensor, [])
        return users[0] if len(users) == 1 else None


def _up_to_split(g, tensor):
    """From Q, K or V up through shape ops and scalar scales to the Gather that picks it from the packed projection."""
    scale = 1.0
    while True:
        node = g.producer.get(tensor)
        if node is None:
            return None
        if node.op_type in SHAPE_OPS:
            tensor = node.input[0]
        elif node.op_type in ("Mul", "Div") and g.scalar(node.input[1]) is not None:
            value = g.scalar(node.input[1])
            scale = scale * value if node.op_type == "Mul" else scale / value
            tensor = node.input[0]
        elif node.op_type == "Gather" and g.attr(node, "axis", 0) == 0 and g.scalar(node.input[1]) is not None:
            return node, int(g.scalar(node.input[1])), scale
        else:
            return None


def _up_to_projection(g, tensor):
    """From the packed Q/K/V tensor up through shape ops to Add(MatMul(x, W[D, 3D]), b[3D])."""
    while (node := g.producer.get(tensor)) is not None and node.op_type in SHAPE_OPS:
        tensor = node.input[0]
    if node is None or node.op_type != "Add":
        return None
    matmul = g.producer.get(node.input[0])
    weight, bias = (g.consts.get(matmul.input[1]) if matmul is not None and matmul.op_type == "MatMul" else None), g.consts.get(node.input[1])
    if weight is None or bias is None or weight.ndim != 2 or weight.shape[1] != 3 * weight.shape[0] or bias.shape != (weight.shape[1],):
        return None
    return matmul, node


def _down_to_output(g, tensor):
    """From the attention's context through the head merge to the output projection; returns (W[D, D], b, last tensor, batch-first)."""
    node = g.only_consumer(tensor)
    while node is not None and node.op_type in SHAPE_OPS:
        node = g.only_consumer(node.output[0])
    if node is None:
        return None
    if node.op_type == "Gemm" and g.consts.get(node.input[1]) is not None:
        weight = g.consts[node.input[1]]
        weight = weight.T if g.attr(node, "transB", 0) else weight
        bias = g.consts.get(node.input[2]) if len(node.input) > 2 and node.input[2] else np.zeros(weight.shape[1], np.float32)
        if bias is None or g.attr(node, "transA", 0) or g.attr(node, "alpha", 1.0) != 1.0 or g.attr(node, "beta", 1.0) != 1.0:
            return None
        end = node.output[0]
    elif node.op_type == "MatMul" and g.consts.get(node.input[1]) is not None:
        add = g.only_consumer(node.output[0])
        if add is None or add.op_type != "Add" or g.consts.get(add.input[1]) is None:
            return None
        weight, bias, end = g.consts[node.input[1]], g.consts[add.input[1]], add.output[0]
    else:
        return None
    last, batch_first = end, False
    while (after := g.only_consumer(last)) is not None and after.op_type in ("Reshape", "Transpose"):
        last = after.output[0]
        batch_first = after.op_type == "Transpose" and list(g.attr(after, "perm", [])) == [1, 0, 2]
        if batch_first:
            break
    return weight, bias, last, batch_first


def _match(g, softmax):
    """The packed attention block around `softmax`, or None."""
    context = g.only_consumer(softmax.output[0])
    if context is None or context.op_type != "MatMul" or context.input[0] != softmax.output[0]:
        return None
    scale, tensor = 1.0, softmax.input[0]
    while (node := g.producer.get(tensor)) is not None and node.op_type in ("Mul", "Div") and g.scalar(node.input[1]) is not None:
        scale = scale * g.scalar(node.input[1]) if node.op_type == "Mul" else scale / g.scalar(node.input[1])
        tensor = node.input[0]
    if node is None or node.op_type != "MatMul":
        return None
    splits = [_up_to_split(g, t) for t in (node.input[0], node.input[1], context.input[1])]
    if any(s is None for s in splits) or [s[1] for s in splits] != [0, 1, 2] or len({s[0].input[0] for s in splits}) != 1:
        return None
    projection = _up_to_projection(g, splits[0][0].input[0])
    output = _down_to_output(g, context.output[0])
    if projection is None or output is None:
        return None
    matmul, add = projection
    source = g.producer.get(matmul.input[0])
    transposed = source is not None and source.op_type == "Transpose" and list(g.attr(source, "perm", [])) == [1, 0, 2]
    return {
        "hidden": source.input[0] if transposed else matmul.input[0],
        "batchFirst": transposed,
        "weight": g.consts[matmul.input[1]],
        "bias": g.consts[add.input[1]],
        "scale": scale * splits[0][2] * splits[1][2],
        "query": node.input[0],
        "output": output,
    }


def packed_attention_blocks(model):
    """Every packed attention block of `model`, as matched (not yet rewritten)."""
    g = _Graph(model)
    return [m for m in (_match(g, n) for n in model.graph.node if n.op_type == "Softmax") if m is not None and m["output"][3] == m["batchFirst"]]


def fuse_packed_attention(model, head_size_of):
    """Rewrites every packed attention block of `model` in place; `head_size_of(tensor)` gives Q's last dimension. Returns the count."""
    from onnx import helper, numpy_helper

    blocks = packed_attention_blocks(model)
    for i, block in enumerate(blocks):
        weight_out, bias_out, end, batch_first = block["output"]
        hidden_size = block["weight"].shape[0]
        heads = hidden_size // head_size_of(block["query"])
        names = {k: f"modelship_attention_{i}_{k}" for k in ("w", "b", "wo", "bo", "in", "ctx", "proj", "out")}
        model.graph.initializer.extend(
            numpy_helper.from_array(np.ascontiguousarray(a.astype(np.float32)), names[k])
            for k, a in (("w", block["weight"]), ("b", block["bias"]), ("wo", weight_out), ("bo", bias_out))
        )
        nodes = [] if batch_first else [helper.make_node("Transpose", [block["hidden"]], [names["in"]], perm=[1, 0, 2])]
        nodes += [
            helper.make_node(
                "Attention", [block["hidden"] if batch_first else names["in"], names["w"], names["b"]], [names["ctx"]],
                domain="com.microsoft", num_heads=int(heads), scale=float(block["scale"]), name=names["ctx"],
            ),
            helper.make_node("MatMul", [names["ctx"], names["wo"]], [names["proj"]]),
            helper.make_node("Add", [names["proj"], names["bo"]], [end if batch_first else names["out"]]),
        ]
        if not batch_first:
            nodes.append(helper.make_node("Transpose", [names["out"]], [end], perm=[1, 0, 2]))
        producer = next(n for n in model.graph.node if end in n.output)
        position = list(model.graph.node).index(producer)
        producer.output[list(producer.output).index(end)] = f"{end}_replaced"
        for offset, node in enumerate(nodes):
            model.graph.node.insert(position + 1 + offset, node)
    if blocks:
        _remove_unused(model)
        if not any(o.domain == "com.microsoft" for o in model.opset_import):
            model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return len(blocks)


def _remove_unused(model):
    """Drops the nodes and initializers nothing reads any more (the replaced subgraphs)."""
    needed = {o.name for o in model.graph.output}
    kept = []
    for node in reversed(list(model.graph.node)):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(node.input)
    del model.graph.node[:]
    model.graph.node.extend(reversed(kept))
    initializers = [t for t in model.graph.initializer if t.name in needed]
    del model.graph.initializer[:]
    model.graph.initializer.extend(initializers)
