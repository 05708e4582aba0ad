"""Builds the small ONNX models the examples and tests use, deterministically, with onnx.helper.

Usage: .venv/bin/python examples/models/makeModels.py [output_dir]   (default: examples/models)

- classifier.onnx  features FP32[N,4] -> probabilities FP32[N,3], label INT64[N]  (a 4-16-3 MLP)
- embedding.onnx   token_ids INT64[N,8] -> embedding FP32[N,4]                   (Gather + ReduceMean)
- nan.onnx         x FP32[N,4] -> y FP32[N,4] = sqrt(x)                          (NaN on negative inputs)
- sqrt_abs.onnx    x FP32[N,4] -> y FP32[N,4] = sqrt(|x|)                        (nan.onnx's IO, always finite)
- corrupt.onnx     classifier.onnx truncated: does not parse
- classifier_perturbed.onnx  the classifier with perturbed weights: same IO, different answers
- classifier_swapped.onnx    the classifier with its two outputs' names swapped
- classifier_opset13.onnx    the classifier at opset 13 (an ONNX source that keeps its opset unless asked)
- classifier_metadata.onnx   the classifier with only its metadata changed (doc string): same answers, new digest
- classifier_retrained.onnx  the classifier with slightly perturbed weights: a retrain with a small behaviour change
- classifier_classes_swapped.onnx  the classifier with classes 0 and 1 swapped (same IO, wrong labels)
- classifier_no_softmax.onnx the classifier without its softmax: logits served under the name "probabilities"
- classifier_slow.onnx       the classifier's answers, ~10M extra multiply-adds per row (a canary that adds latency)
- datatypes.onnx   one Identity per v2 datatype: in_<type> [N,2] -> out_<type> [N,2]
- datatypes_typed.onnx  the same without FP16: the datatypes KServe v2 gRPC carries as typed contents
- mlp_bench.onnx   features FP32[N,256] -> logits FP32[N,10], a 256-1024-1024-10 MLP for benchmarks
- matmul_chain.onnx  x FP32[1,N] -> y FP32[1,N]: the outer product x^T x, then 32 times Tanh(M @ (x^T x)), averaged
                   over rows; ~32 N^3 multiply-adds from a small request, so N sets how long one inference takes
- cnn_constant_weights.onnx  image FP32[N,3,16,16] -> probabilities FP32[N,4]: a small CNN whose weights are not plain
                   initializers, as Paddle and other exporters leave them (a Constant node, an Identity of an
                   initializer that is also a graph input, a Transpose of a Constant): int8 needs them folded first
- vad.onnx         a voice-activity-like model: audio FP32[1,T] (T >= 2: a reflect Pad on the time axis),
                   state FP32[2,1,16] -> new_state FP32[2,1,16], a scalar INT64 sample rate sr[] used in the
                   graph (cast, times 0, added) -> speech FP32[1,1]
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = [helper.make_opsetid("", 17)]


def save(model: onnx.ModelProto, path: str) -> None:
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString(deterministic=True)
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def classifier(
    perturbation: float = 0.0, swap_outputs: bool = False, slow: bool = False, swap_classes: bool = False, softmax: bool = True, opset: int = 17
) -> onnx.ModelProto:
    rng = np.random.default_rng(7)
    arrays = [rng.normal(0, 0.8, (4, 16)), rng.normal(0, 0.1, (16,)), rng.normal(0, 0.8, (16, 3)), rng.normal(0, 0.1, (3,))]
    if perturbation:
        noise = np.random.default_rng(99)
        arrays = [a + noise.normal(0, perturbation, a.shape) for a in arrays]
    if swap_classes:
        arrays[2], arrays[3] = arrays[2][:, [1, 0, 2]], arrays[3][[1, 0, 2]]
    w1, b1, w2, b2 = (numpy_helper.from_array(a.astype(np.float32), n) for a, n in zip(arrays, ["w1", "b1", "w2", "b2"]))
    extra = []
    nodes = [
        helper.make_node("Gemm", ["features", "w1", "b1"], ["h"]),
        helper.make_node("Relu", ["h"], ["h_relu"]),
        helper.make_node("Gemm", ["h_relu", "w2", "b2"], ["logits" if not slow else "logits_fast"]),
        helper.make_node("Softmax" if softmax else "Identity", ["logits"], ["label" if swap_outputs else "probabilities"], **({"axis": 1} if softmax else {})),
        helper.make_node("ArgMax", ["logits"], ["probabilities" if swap_outputs else "label"], axis=1, keepdims=0),
    ]
    if slow:
        # Same answers, plus wide layers whose sum is multiplied by 0: a canary that only adds latency.
        wide = np.random.default_rng(5)
        extra = [
            numpy_helper.from_array(wide.normal(0, 0.5, (4, 1024)).astype(np.float32), "slow_w1"),
            numpy_helper.from_array((wide.normal(0, 1, (1024, 1024)) / 32).astype(np.float32), "slow_w2"),
            numpy_helper.from_array((wide.normal(0, 1, (1024, 1024)) / 32).astype(np.float32), "slow_w3"),
            numpy_helper.from_array(np.zeros((1,), dtype=np.float32), "slow_zero"),
        ]
        wide_layers = []
        for i in range(10):  # the same 1024x1024 weights, ten times: ~10M multiply-adds per row, 8 MB on disk
            wide_layers += [helper.make_node("MatMul", [f"s{i}r", "slow_w2"], [f"s{i + 1}"]), helper.make_node("Relu", [f"s{i + 1}"], [f"s{i + 1}r"])]
        nodes[3:3] = [
            helper.make_node("MatMul", ["features", "slow_w1"], ["s0"]),
            helper.make_node("Relu", ["s0"], ["s0r"]),
            *wide_layers,
            helper.make_node("MatMul", ["s10r", "slow_w3"], ["s_last"]),
            helper.make_node("ReduceSum", ["s_last"], ["s_sum"], keepdims=1),
            helper.make_node("Mul", ["s_sum", "slow_zero"], ["s_zero"]),
            helper.make_node("Add", ["logits_fast", "s_zero"], ["logits"]),
        ]
    outputs = [
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3]),
        helper.make_tensor_value_info("label", TensorProto.INT64, ["batch"]),
    ]
    if swap_outputs:
        outputs = [
            helper.make_tensor_value_info("label", TensorProto.FLOAT, ["batch", 3]),
            helper.make_tensor_value_info("probabilities", TensorProto.INT64, ["batch"]),
        ]
    graph = helper.make_graph(
        nodes,
        "classifier",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 4])],
        outputs,
        [w1, b1, w2, b2, *extra],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="modelship-examples", ir_version=8)


def embedding() -> onnx.ModelProto:
    rng = np.random.default_rng(11)
    table = numpy_helper.from_array(rng.normal(0, 1, (10, 4)).astype(np.float32), "table")
    axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
    nodes = [
        helper.make_node("Gather", ["table", "token_ids"], ["vectors"], axis=0),
        helper.make_node("ReduceMean", ["vectors", "axes"], ["embedding"], keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "embedding",
        [helper.make_tensor_value_info("token_ids", TensorProto.INT64, ["batch", 8])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 4])],
        [table, axes],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="modelship-examples", ir_version=8)


def nan_model(guarded: bool = False) -> onnx.ModelProto:
    nodes = [helper.make_node("Abs", ["x"], ["x_abs"]), helper.make_node("Sqrt", ["x_abs"], ["y"])] if guarded else [helper.make_node("Sqrt", ["x"], ["y"])]
    graph = helper.make_graph(
        nodes,
        "sqrt_abs" if guarded else "nan",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
    )
    return helper.make_model(graph, opset_imports=OPSET, producer_name="modelship-examples", ir_version=8)


def mlp_bench() -> onnx.ModelProto:
    rng = np.random.default_rng(3)
    sizes = [256, 1024, 1024, 10]
    inits, nodes, prev = [], [], "features"
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        inits += [
            numpy_helper.from_array((rng.normal(0, 1, (a, b)) / np.sqrt(a)).astype(np.float32), f"w{i}"),
            numpy_helper.from_array(np.zeros(b, dtype=np.float32), f"b{i}"),
        ]
        out = "logits" if i == len(sizes) - 2 else f"h{i}"
        nodes.append(helper.make_node("Gemm", [prev, f"w{i}", f"b{i}"], [out if out == "logits" else f"g{i}"]))
        if out != "logits":
            nodes.append(helper.make_node("Relu", [f"g{i}"], [out]))
        prev = out
    graph = helper.make_graph(
        nodes,
        "mlp_bench",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 256])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])],
        inits,
    )
    return helper.make_model(graph, opset_imports=OPSET, producer_name="modelship-examples", ir_version=8)


def matmul_chain(steps: int = 32) -> onnx.ModelProto:
    nodes = [helper.make_node("Transpose", ["x"], ["xt"]), helper.make_node("MatMul", ["xt", "x"], ["m0"])]
    for i in range(steps):
        nodes += [helper.make_node("MatMul", [f"m{i}", "m0"], [f"p{i}"]), helper.make_node("Tanh", [f"p{i}"], [f"m{i + 1}"])]
    nodes.append(helper.make_node("ReduceMean", [f"m{steps}"], ["y"], axes=[0], keepdims=1))
    graph = helper.make_graph(
        nodes,
        "matmul_chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "n"])],
    )
    return helper.make_model(graph, opset_imports=OPSET, producer_name="modelship-examples", ir_version=8)


def cnn_constant_weights() -> onnx.ModelProto:
    rng = np.random.default_rng(11)
    w1, w2 = rng.normal(0, 0.3, (8, 3, 3, 3)), rng.normal(0, 0.15, (16, 8, 3, 3))
    head = rng.normal(0, 0.5, (4, 16))
    array = lambda a, n: numpy_helper.from_array(np.asarray(a, dtype=np.float32), n)  # noqa: E731
    nodes = [
        helper.make_node("Constant", [], ["conv2d_1.w_0"], value=array(w1, "conv2d_1.w_0")),
        helper.make_node("Conv", ["image", "conv2d_1.w_0", "conv2d_1.b_0"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Identity", ["conv2d_3.w_0"], ["conv2d_3.w_0.read"]),
        helper.make_node("Conv", ["r1", "conv2d_3.w_0.read", "conv2d_3.b_0"], ["c2"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("GlobalAveragePool", ["r2"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"]),
        helper.make_node("Constant", [], ["fc.w_0.t"], value=array(head, "fc.w_0.t")),
        helper.make_node("Transpose", ["fc.w_0.t"], ["fc.w_0"]),
        helper.make_node("MatMul", ["flat", "fc.w_0"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    inits = [array(rng.normal(0, 0.1, 8), "conv2d_1.b_0"), array(w2, "conv2d_3.w_0"), array(rng.normal(0, 0.1, 16), "conv2d_3.b_0")]
    graph = helper.make_graph(
        nodes,
        "cnn_constant_weights",
        # The second convolution's weight is also a graph input (an overridable default), as old exporters list initializers.
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 3, 16, 16]), helper.make_tensor_value_info("conv2d_3.w_0", TensorProto.FLOAT, [16, 8, 3, 3])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 4])],
        inits,
    )
    return helper.make_model(graph, opset_imports=OPSET, producer_name="modelship-examples", ir_version=8)


def vad() -> onnx.ModelProto:
    pads = numpy_helper.from_array(np.array([0, 1, 0, 1], dtype=np.int64), "pads")
    decay = numpy_helper.from_array(np.array(0.5, dtype=np.float32), "decay")
    small = numpy_helper.from_array(np.array(0.01, dtype=np.float32), "small")
    zero = numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero")
    nodes = [
        helper.make_node("Pad", ["audio", "pads"], ["padded"], mode="reflect"),  # fails when T < 2
        helper.make_node("ReduceMean", ["padded"], ["energy"], axes=[1], keepdims=1),  # [1, 1]
        helper.make_node("ReduceSum", ["state"], ["state_sum"], keepdims=0),  # scalar
        helper.make_node("Mul", ["state_sum", "small"], ["state_term"]),
        helper.make_node("Cast", ["sr"], ["sr_float"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["sr_float", "zero"], ["sr_term"]),
        helper.make_node("Add", ["energy", "state_term"], ["logit_a"]),
        helper.make_node("Add", ["logit_a", "sr_term"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["speech"]),
        helper.make_node("Mul", ["state", "decay"], ["state_decayed"]),
        helper.make_node("Add", ["state_decayed", "energy"], ["new_state"]),
    ]
    graph = helper.make_graph(
        nodes,
        "vad",
        [
            helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1, "time"]),
            helper.make_tensor_value_info("state", TensorProto.FLOAT, [2, 1, 16]),
            helper.make_tensor_value_info("sr", TensorProto.INT64, []),
        ],
        [helper.make_tensor_value_info("speech", TensorProto.FLOAT, [1, 1]), helper.make_tensor_value_info("new_state", TensorProto.FLOAT, [2, 1, 16])],
        [pads, decay, small, zero],
    )
    return helper.make_model(graph, opset_imports=OPSET, producer_name="modelship-examples", ir_version=8)


DATATYPES = {
    "BOOL": TensorProto.BOOL,
    "UINT8": TensorProto.UINT8,
    "UINT16": TensorProto.UINT16,
    "UINT32": TensorProto.UINT32,
    "UINT64": TensorProto.UINT64,
    "INT8": TensorProto.INT8,
    "INT16": TensorProto.INT16,
    "INT32": TensorProto.INT32,
    "INT64": TensorProto.INT64,
    "FP16": TensorProto.FLOAT16,
    "FP32": TensorProto.FLOAT,
    "FP64": TensorProto.DOUBLE,
    "BYTES": TensorProto.STRING,
}


def datatypes(exclude: tuple[str, ...] = ()) -> onnx.ModelProto:
    types = {d: t for d, t in DATATYPES.items() if d not in exclude}
    names = [d.lower() for d in types]
    graph = helper.make_graph(
        [helper.make_node("Identity", [f"in_{n}"], [f"out_{n}"]) for n in names],
        "datatypes",
        [helper.make_tensor_value_info(f"in_{n}", t, ["batch", 2]) for n, t in zip(names, types.values())],
        [helper.make_tensor_value_info(f"out_{n}", t, ["batch", 2]) for n, t in zip(names, types.values())],
    )
    return helper.make_model(graph, opset_imports=OPSET, producer_name="modelship-examples", ir_version=8)


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    save(classifier(), os.path.join(out, "classifier.onnx"))
    save(embedding(), os.path.join(out, "embedding.onnx"))
    save(nan_model(), os.path.join(out, "nan.onnx"))
    save(nan_model(guarded=True), os.path.join(out, "sqrt_abs.onnx"))
    save(classifier(perturbation=0.6), os.path.join(out, "classifier_perturbed.onnx"))
    save(classifier(swap_outputs=True), os.path.join(out, "classifier_swapped.onnx"))
    save(classifier(slow=True), os.path.join(out, "classifier_slow.onnx"))
    save(classifier(opset=13), os.path.join(out, "classifier_opset13.onnx"))
    relabelled = classifier()
    relabelled.doc_string = "the example classifier, rebuilt with new metadata"
    save(relabelled, os.path.join(out, "classifier_metadata.onnx"))
    save(classifier(perturbation=0.01), os.path.join(out, "classifier_retrained.onnx"))
    save(classifier(swap_classes=True), os.path.join(out, "classifier_classes_swapped.onnx"))
    save(classifier(softmax=False), os.path.join(out, "classifier_no_softmax.onnx"))
    scores = classifier()  # the same answers plus an output (the logits): a compatible release a rollback leaves
    scores.graph.node.append(helper.make_node("Identity", ["logits"], ["scores"]))
    scores.graph.output.append(helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 3]))
    save(scores, os.path.join(out, "classifier_scores.onnx"))
    save(datatypes(), os.path.join(out, "datatypes.onnx"))
    save(datatypes(exclude=("FP16",)), os.path.join(out, "datatypes_typed.onnx"))
    save(mlp_bench(), os.path.join(out, "mlp_bench.onnx"))
    save(matmul_chain(), os.path.join(out, "matmul_chain.onnx"))
    save(vad(), os.path.join(out, "vad.onnx"))
    save(cnn_constant_weights(), os.path.join(out, "cnn_constant_weights.onnx"))
    good = classifier().SerializeToString(deterministic=True)
    corrupt = good[: len(good) // 3] + b"\x00not-an-onnx-model\xff" * 4
    with open(os.path.join(out, "corrupt.onnx.tmp"), "wb") as f:
        f.write(corrupt)
    os.replace(os.path.join(out, "corrupt.onnx.tmp"), os.path.join(out, "corrupt.onnx"))
    print(f"example models written to {out}")


if __name__ == "__main__":
    main()
