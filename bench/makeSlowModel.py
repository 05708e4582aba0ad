"""A deliberately slow model for the responsiveness section of `npm run bench:gateway`:
x FP32[n,n] (n dynamic) -> y FP32[n,n], `depth` chained MatMuls (y = y @ x). The caller picks n to
pick the duration (cost grows with n^3). Usage: makeSlowModel.py <out.onnx> [depth]"""
import sys

import onnx
from onnx import TensorProto, helper


def main():
    out, depth = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 16
    nodes, previous = [], "x"
    for i in range(depth):
        name = "y" if i == depth - 1 else f"h{i}"
        nodes.append(helper.make_node("MatMul", [previous, "x"], [name]))
        previous = name
    graph = helper.make_graph(
        nodes,
        "slow_matmul_chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", "n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", "n"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == "__main__":
    main()
