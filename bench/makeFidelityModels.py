"""Builds the bench:fidelity mutation suite: copies of a base ONNX model that change its behaviour
(each of which Modelship must refuse before any traffic) and copies that do not (which it must
accept), plus a tiny image classifier with dynamic height/width as a second base model.

Usage: .venv/bin/python bench/makeFidelityModels.py BASE.onnx OUT_DIR [--nan-at-height H]

Writes OUT_DIR/<case>.onnx (or a truncated file for `truncated`) and OUT_DIR/cases.json:
[{"case": ..., "file": ..., "changes": true|false, "what": ...}, ...]. Deterministic.
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model, path):
    data = model.SerializeToString(deterministic=True)
    with open(f"{path}.tmp", "wb") as f:
        f.write(data)
    os.replace(f"{path}.tmp", path)


def copy(model):
    out = onnx.ModelProto()
    out.CopyFrom(model)
    return out


def float_initializers(model):
    return [i for i in model.graph.initializer if i.data_type == TensorProto.FLOAT]


def scale_weights(model, factor):
    out = copy(model)
    for init in float_initializers(out):
        init.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(init) * np.float32(factor), init.name))
    return out


def zero_part_of_largest_layer(model, fraction):
    out = copy(model)
    largest = max(float_initializers(out), key=lambda i: int(np.prod(i.dims)))
    array = numpy_helper.to_array(largest).copy()
    flat = array.reshape(-1)
    rng = np.random.default_rng(3)
    flat[rng.choice(flat.size, max(1, int(flat.size * fraction)), replace=False)] = 0
    largest.CopyFrom(numpy_helper.from_array(array, largest.name))
    return out


def last_gemm(model):
    gemms = [n for n in model.graph.node if n.op_type in ("Gemm", "MatMul")]
    return gemms[-1]


def swap_classes(model):
    """Swaps the first two output classes: the last Gemm's output columns (and bias entries)."""
    out = copy(model)
    gemm = last_gemm(out)
    inits = {i.name: i for i in out.graph.initializer}
    trans_b = any(a.name == "transB" and a.i == 1 for a in gemm.attribute)
    weight = numpy_helper.to_array(inits[gemm.input[1]]).copy()
    if trans_b:
        weight[[0, 1], :] = weight[[1, 0], :]
    else:
        weight[:, [0, 1]] = weight[:, [1, 0]]
    inits[gemm.input[1]].CopyFrom(numpy_helper.from_array(weight, gemm.input[1]))
    if len(gemm.input) > 2 and gemm.input[2] in inits:
        bias = numpy_helper.to_array(inits[gemm.input[2]]).copy()
        bias[[0, 1]] = bias[[1, 0]]
        inits[gemm.input[2]].CopyFrom(numpy_helper.from_array(bias, gemm.input[2]))
    return out


def remove_final_activation(model):
    """The Softmax becomes an Identity: logits served under the probabilities' name."""
    out = copy(model)
    for node in out.graph.node:
        if node.op_type == "Softmax":
            node.op_type = "Identity"
            del node.attribute[:]
            return out
    raise SystemExit("no Softmax to remove")


def rescale_input(model, factor):
    """The first input multiplied by `factor` before the model sees it (a changed preprocessing)."""
    out = copy(model)
    name = out.graph.input[0].name
    scaled = f"{name}_rescaled"
    for node in out.graph.node:
        node.input[:] = [scaled if i == name else i for i in node.input]
    out.graph.initializer.append(numpy_helper.from_array(np.array(factor, dtype=np.float32), "rescale_factor"))
    out.graph.node.insert(0, helper.make_node("Mul", [name, "rescale_factor"], [scaled], name="rescale_input"))
    return out


def rename_input(model):
    out = copy(model)
    old = out.graph.input[0].name
    new = f"{old}_v2"
    out.graph.input[0].name = new
    for node in out.graph.node:
        node.input[:] = [new if i == old else i for i in node.input]
    return out


def cast_output(model):
    """The first output served as FP64 instead of FP32."""
    out = copy(model)
    output = out.graph.output[0]
    inner = f"{output.name}_fp32"
    for node in out.graph.node:
        node.output[:] = [inner if o == output.name else o for o in node.output]
    out.graph.node.append(helper.make_node("Cast", [inner], [output.name], to=TensorProto.DOUBLE, name="cast_output"))
    output.type.tensor_type.elem_type = TensorProto.DOUBLE
    return out


def nan_beyond_height(model, height):
    """NaN in the first output only when the image is taller than `height` rows (rank-4 input [N,C,H,W])."""
    out = copy(model)
    image = out.graph.input[0].name
    output = out.graph.output[0]
    inner = f"{output.name}_clean"
    for node in out.graph.node:
        node.output[:] = [inner if o == output.name else o for o in node.output]
    consts = [
        numpy_helper.from_array(np.array([height], dtype=np.int64), "nan_start"),
        numpy_helper.from_array(np.array([1 << 30], dtype=np.int64), "nan_end"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "nan_axis"),
    ]
    out.graph.initializer.extend(consts)
    out.graph.node.extend(
        [
            helper.make_node("Slice", [image, "nan_start", "nan_end", "nan_axis"], ["nan_rows"]),  # empty unless H > height
            helper.make_node("Abs", ["nan_rows"], ["nan_abs"]),
            helper.make_node("ReduceSum", ["nan_abs"], ["nan_sum"], keepdims=0),  # 0 when empty
            helper.make_node("Neg", ["nan_sum"], ["nan_neg"]),
            helper.make_node("Sqrt", ["nan_neg"], ["nan_term"]),  # sqrt(-x): NaN when x > 0
            helper.make_node("Add", [inner, "nan_term"], [output.name]),
        ]
    )
    return out


def with_opset(model, version):
    out = copy(model)
    for opset in out.opset_import:
        if opset.domain in ("", "ai.onnx"):
            opset.version = version
    return out


def metadata_only(model):
    out = copy(model)
    out.doc_string = "retagged by the release train"
    out.producer_name = "modelship-fidelity"
    out.producer_version = "2"
    helper.set_model_props(out, {"team": "ml-platform", "ticket": "ML-1234"})
    return out


def renamed_nodes(model):
    out = copy(model)
    for i, node in enumerate(out.graph.node):
        node.name = f"renamed_{i}_{node.op_type.lower()}"
    return out


def image_classifier():
    """image FP32[N,3,H,W] (H, W dynamic) → probabilities FP32[N,5]: two 3x3 convolutions, global pooling, a dense layer, softmax."""
    rng = np.random.default_rng(11)
    w = {
        "c1_w": rng.normal(0, 0.4, (8, 3, 3, 3)),
        "c1_b": rng.normal(0, 0.1, (8,)),
        "c2_w": rng.normal(0, 0.3, (8, 8, 3, 3)),
        "c2_b": rng.normal(0, 0.1, (8,)),
        "fc_w": rng.normal(0, 0.8, (8, 5)),
        "fc_b": rng.normal(0, 0.1, (5,)),
    }
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for n, a in w.items()]
    nodes = [
        helper.make_node("Conv", ["image", "c1_w", "c1_b"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "c2_w", "c2_b"], ["c2"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("GlobalAveragePool", ["r2"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "image_classifier",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, "height", "width"])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 5])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="modelship-fidelity")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base", help="the base model, or 'image' for the built-in image classifier")
    parser.add_argument("out")
    parser.add_argument("--nan-at-height", type=int, default=0, help="also build a copy that answers NaN for images taller than this")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    base = image_classifier() if args.base == "image" else onnx.load(args.base)
    save(base, os.path.join(args.out, "base.onnx"))
    cases = [
        ("weights x1.05", True, scale_weights(base, 1.05)),
        ("weights x2", True, scale_weights(base, 2.0)),
        ("layer 10% zeroed", True, zero_part_of_largest_layer(base, 0.10)),
        ("classes swapped", True, swap_classes(base)),
        ("softmax removed", True, remove_final_activation(base)),
        ("input rescaled x255", True, rescale_input(base, 255.0)),
        ("input renamed", True, rename_input(base)),
        ("output cast to FP64", True, cast_output(base)),
        ("unsupported opset", True, with_opset(base, 99)),
        ("identical", False, copy(base)),
        ("metadata only", False, metadata_only(base)),
        ("node names changed", False, renamed_nodes(base)),
    ]
    if args.nan_at_height:
        cases.insert(6, (f"NaN above {args.nan_at_height} rows", True, nan_beyond_height(base, args.nan_at_height)))
    listing = []
    for i, (case, changes, model) in enumerate(cases):
        file = f"case{i:02d}.onnx"
        save(model, os.path.join(args.out, file))
        listing.append({"case": case, "file": file, "changes": changes})
    data = base.SerializeToString(deterministic=True)
    with open(os.path.join(args.out, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])
    listing.insert(len(listing) - 3, {"case": "truncated file", "file": "truncated.onnx", "changes": True})
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(listing, f, indent=1)
    print(f"{len(listing)} cases written to {args.out}")


if __name__ == "__main__":
    main()
