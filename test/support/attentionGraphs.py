"""Small graphs for the transformer pass's detection (activities/python/transformerFusion.py), built with
onnx.helper: prints {name: {"facts": ..., "skipped": reason or null, "modelType": ...}} as JSON for
test/unit/attentionDetection.test.ts.

- attention      MatMul(q, kT) → Div → Softmax → MatMul(·, v), with LayerNormalization and an Erf GELU
- causal         the same scores masked by Where(mask, scores, -inf) before the Softmax (a decoder: gpt2)
- reduceMeanNorm attention with a layer norm written as ReduceMean → Sub → … (older exporters)
- classifier     Gemm → Softmax at the output (a softmax, but no attention)
- mlp            MatMul → Relu → MatMul, with an Erf (GELU-like) but no Softmax
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "activities", "python"))

from onnx import TensorProto, helper  # noqa: E402

from transformerFusion import attention_facts, model_type, skip_reason  # noqa: E402


def graph(nodes, inputs=("x",), output="y"):
    return helper.make_model(
        helper.make_graph(
            nodes,
            "g",
            [helper.make_tensor_value_info(i, TensorProto.FLOAT, None) for i in inputs],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)],
        )
    )


def attention(mask=False, norm="LayerNormalization"):
    if norm == "LayerNormalization":
        norm_nodes = [helper.make_node("LayerNormalization", ["x", "g", "b"], ["h"])]
    else:
        norm_nodes = [
            helper.make_node("ReduceMean", ["x"], ["mean"]),
            helper.make_node("Sub", ["x", "mean"], ["centred"]),
            helper.make_node("Mul", ["centred", "centred"], ["sq"]),
            helper.make_node("ReduceMean", ["sq"], ["var"]),
            helper.make_node("Div", ["centred", "var"], ["h"]),
        ]
    scores = [helper.make_node("MatMul", ["h", "kt"], ["s0"]), helper.make_node("Div", ["s0", "scale"], ["s1"])]
    if mask:
        scores.append(helper.make_node("Where", ["mask", "s1", "neg"], ["s2"]))
    last = scores[-1].output[0]
    nodes = norm_nodes + scores + [
        helper.make_node("Softmax", [last], ["p"]),
        helper.make_node("MatMul", ["p", "v"], ["ctx"]),
        helper.make_node("Erf", ["ctx"], ["y"]),
    ]
    return graph(nodes, inputs=("x", "g", "b", "kt", "scale", "mask", "neg", "v"))


def main():
    models = {
        "attention": attention(),
        "causal": attention(mask=True),
        "reduceMeanNorm": attention(norm="ReduceMean"),
        "classifier": graph([helper.make_node("Gemm", ["x", "w"], ["z"]), helper.make_node("Softmax", ["z"], ["y"])], inputs=("x", "w")),
        "mlp": graph(
            [helper.make_node("MatMul", ["x", "w"], ["a"]), helper.make_node("Erf", ["a"], ["r"]), helper.make_node("MatMul", ["r", "w2"], ["y"])],
            inputs=("x", "w", "w2"),
        ),
    }
    answers = {}
    for name, model in models.items():
        facts = attention_facts(model)
        answers[name] = {"facts": facts, "skipped": skip_reason(facts), "modelType": model_type(facts)}
    print(json.dumps(answers))


if __name__ == "__main__":
    main()
