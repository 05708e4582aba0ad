"""What the XGBoost and LightGBM converters share: loading the model file (the framework's own
format, or a pickle or skops archive of its scikit-learn wrapper), the float inputs onnxmltools needs, the opset it
supports, a batch axis left dynamic on every output, and the framework's predictions as the reference
in the ONNX model's outputs (a classifier's label and probabilities, a regressor's value).
"""
import pickle
import re

import numpy as np

from skopsLoading import is_skops, load_skops
from toolRefusal import Refused

# The highest ai.onnx opset onnxmltools 1.16 converts tree ensembles to.
ONNXMLTOOLS_MAX_OPSET = 15


def load_booster(source, framework, load_native, unwrap):
    """The framework's booster from `source`: its native file, or a pickle or skops archive of its scikit-learn model; unusable files are refused."""
    if is_skops(source):
        return unwrap(load_skops(source, framework))
    with open(source, "rb") as f:
        head = f.read(2)
    try:
        if head[:1] == b"\x80":
            with open(source, "rb") as f:
                return unwrap(pickle.load(f))
        return load_native(source)
    except Exception as e:  # noqa: BLE001
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        first = re.sub(r"^\[[0-9:]+\] \S+: (Check failed: .*?: )?", "", first)  # XGBoost's "[time] file.cc:line: Check failed: ..." prefix
        raise Refused("ModelUnloadable", f"not a valid {framework} model: {first}")


def float_inputs(request, framework):
    """onnxmltools' initial types: one FP32 input with a dynamic batch axis."""
    from onnxmltools.convert.common.data_types import FloatTensorType

    specs = request["inputs"]
    if len(specs) != 1 or specs[0]["datatype"] != "FP32":
        raise Refused("ModelConversionFailed", f"a {framework} model takes one FP32 input (name, shape [-1, features])")
    return [(specs[0]["name"], FloatTensorType([None, *specs[0]["shape"][1:]]))]


def converter_opset(opset, framework):
    if opset > ONNXMLTOOLS_MAX_OPSET:
        raise Refused("ModelConversionFailed", f"onnxmltools converts {framework} models up to opset {ONNXMLTOOLS_MAX_OPSET}, not {opset}")
    return opset


def save_with_dynamic_batch(onx, output):
    """Writes the model with the first axis of every output named (onnxmltools fixes some to 1)."""
    for value in onx.graph.output:
        dims = value.type.tensor_type.shape.dim
        if len(dims) > 0:
            dims[0].ClearField("dim_value")
            dims[0].dim_param = "N"
    with open(output, "wb") as f:
        f.write(onx.SerializeToString())


def references(onx, runs, names, predict):
    """The framework's predictions on each run, as the ONNX outputs: (label, probabilities) for a classifier, else the value as [N, 1]."""
    classifier = len(onx.graph.output) == 2
    result = []
    for run in runs:
        scores = np.asarray(predict(np.asarray(run[names[0]], dtype=np.float32)))
        if classifier:
            probabilities = np.stack([1 - scores, scores], axis=1) if scores.ndim == 1 else scores
            result.append([np.argmax(probabilities, axis=1).astype(np.int64), probabilities.astype(np.float32)])
        else:
            result.append([scores.reshape(scores.shape[0], -1).astype(np.float32)])
    return result
