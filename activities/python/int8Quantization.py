"""The `quantize_int8` command: an int8 copy of a model, after the pre-processing every int8 pass gets
(quantizationPreprocessing.py).
  static   int8 weights and activations in QDQ form (`quantize_static`), activation ranges calibrated
           on representative inputs (MinMax, Entropy or Percentile), weights per output channel;
           QUInt8 activations with QInt8 weights (U8S8), the combination onnxruntime's x86 CPU kernels run fastest
  dynamic  int8 weights, activations quantized at each run (`quantize_dynamic`): for MatMul/Gemm models
  auto     static when the model has convolutions, dynamic otherwise
A model without Conv, MatMul or Gemm (a tree ensemble) answers {"skipped": reason}, whatever the method.
The request: {model, output, int8: {method, perChannel, calibration: {method, samples}},
calibration: {bundle | npz, inputs, perSample, source} | calibrationProblem: {type, message}} (the
inputs could not be had: refused only when static int8 needs them); the calibration inputs are a tensor bundle or an
.npz file read as the golden inputs are (goldenInputs.py: one array per input name, first axis = rows,
one run per sample when `perSample`). The lineage parameters say which method ran and why,
what pre-processing did, and for static int8 the calibration method, rows and where they came from.
"""
import contextlib
import sys
import tempfile

import numpy as np

from goldenInputs import npz_runs
from quantizationPreprocessing import one_line, prepare
from tensorBundles import read_runs
from toolRefusal import Refused
from toolVersions import tool_versions

CONVOLUTIONS = {"Conv", "ConvTranspose"}
MATMULS = {"MatMul", "Gemm"}
# The spec's calibration methods, by onnxruntime's names.
CALIBRATION_METHODS = {"minmax": "MinMax", "entropy": "Entropy", "percentile": "Percentile"}
# Rows fed to the calibrator per run (a dynamic batch axis): bounds the activations held at once.
CALIBRATION_BATCH = 16
# Calibrators that keep a histogram of every run's activations: onnxruntime stacks the runs' arrays, so
# every run must have the same shape (runs of one row, then only the most common shape).
HISTOGRAM_METHODS = {"entropy", "percentile"}


def choose_method(setting, op_counts):
    """(`static` | `dynamic`, why) for a method setting and the model's op counts; (None, why) when the model
    has nothing int8 would quantize (a tree ensemble): the pass does not apply, whatever the method."""
    convs = sum(op_counts.get(op, 0) for op in CONVOLUTIONS)
    matmuls = sum(op_counts.get(op, 0) for op in MATMULS)
    found = f"{convs} convolution(s), {matmuls} MatMul/Gemm"
    if convs + matmuls == 0:
        return None, "no Conv/MatMul/Gemm to quantize: an int8 copy would be the fp32 model"
    if setting in ("static", "dynamic"):
        return setting, f"{setting} as set ({found})"
    if convs > 0:
        return "static", f"auto: {found}: convolutions run fastest with static (QDQ) int8"
    return "dynamic", f"auto: {found}, no convolutions: dynamic int8 for a MatMul/Gemm model"


def quantize_int8(request):
    import onnx
    import onnxruntime  # noqa: F401  (recorded in the tool versions)

    settings = request.get("int8") or {}
    # The calibrators print progress on stdout, which carries this tool's answer: send it to stderr.
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(sys.stderr):
        prepared, preprocessing = prepare(request["model"], tmp)
        model = onnx.load(prepared)
        op_counts = {}
        for node in model.graph.node:
            op_counts[node.op_type] = op_counts.get(node.op_type, 0) + 1
        method, why = choose_method(settings.get("method", "auto"), op_counts)
        if method is None:
            return {"skipped": why, "parameters": {"preprocessing": preprocessing}, "toolVersions": tool_versions()}
        parameters = {"method": method, "methodChoice": why, "preprocessing": preprocessing}
        problem = request.get("calibrationProblem")
        if method == "static" and problem:
            # Calibration inputs were asked for and could not be had (an unreadable file): needed now.
            raise Refused(problem.get("type") or "InvalidDataset", problem.get("message") or "the calibration inputs could not be read")
        if method == "static" and not request.get("calibration") and settings.get("method") != "static":
            method = "dynamic"
            parameters.update(method=method, methodChoice=f"{why}; no calibration inputs, so dynamic")
        if method == "static":
            parameters.update(quantize_static_qdq(prepared, request["output"], model, settings, request.get("calibration"), preprocessing))
        else:
            parameters.update(quantize_dynamic_int8(prepared, request["output"], preprocessing))
    return {"parameters": parameters, "toolVersions": tool_versions()}


def quantize_dynamic_int8(prepared, output, preprocessing):
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # `perChannel` is a static int8 setting: dynamic int8 keeps one scale per weight tensor, as it always has.
    per_channel = False
    try:
        quantize_dynamic(prepared, output, weight_type=QuantType.QInt8, per_channel=per_channel)
    except Exception as e:  # noqa: BLE001
        raise Refused("OptimizationFailed", f"int8 dynamic quantization failed: {one_line(e)} (pre-processing: {'; '.join(preprocessing)})")
    return {"weightType": "QInt8", "perChannel": per_channel}


def quantize_static_qdq(prepared, output, model, settings, calibration, preprocessing):
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static

    if not calibration:
        raise Refused("OptimizationFailed", "static int8 needs calibration inputs: none were found")
    wanted = settings.get("calibration") or {}
    calibration_method = wanted.get("method", "minmax")
    runs = calibration_runs(model, calibration, wanted.get("samples", 64), equal_shapes=calibration_method in HISTOGRAM_METHODS)
    per_channel = settings.get("perChannel", True)
    reader = FeedReader(runs)
    try:
        quantize_static(
            prepared,
            output,
            reader,
            quant_format=QuantFormat.QDQ,
            per_channel=per_channel,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            calibrate_method=getattr(CalibrationMethod, CALIBRATION_METHODS[calibration_method]),
            extra_options={"CalibTensorRangeSymmetric": False, "WeightSymmetric": True},
        )
    except Exception as e:  # noqa: BLE001
        raise Refused("OptimizationFailed", f"int8 static quantization failed: {one_line(e)} (pre-processing: {'; '.join(preprocessing)})")
    return {
        "format": "QDQ",
        "activationType": "QUInt8",
        "weightType": "QInt8",
        "perChannel": per_channel,
        "calibration": {"method": calibration_method, "rows": sum(rows_of(run) for run in runs), "source": calibration.get("source", "")},
    }


class FeedReader:
    """onnxruntime's CalibrationDataReader over prepared feeds."""

    def __init__(self, runs):
        self.feeds = iter(runs)

    def get_next(self):
        return next(self.feeds, None)


def calibration_runs(model, calibration, samples, equal_shapes=False):
    """The calibration feeds: at most `samples` rows, in runs the model accepts, typed as its inputs
    (`equal_shapes`: every run of one shape, as the histogram calibrators need)."""
    from onnx import helper

    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    others = [i.name for i in inputs if not i.type.HasField("tensor_type")]
    if others:
        raise Refused("OptimizationFailed", f"static int8 calibrates tensor inputs only: {', '.join(others)} (a sequence or map) is not one")
    if "npz" in calibration:
        # Read as the golden inputs are: one batch, or one run per sample (a samples axis, scalar inputs).
        what = f"calibration inputs ({calibration.get('source', '')})"
        runs = npz_runs(calibration["npz"], calibration["inputs"], calibration.get("perSample"), "InvalidDataset", what)
    else:
        runs = read_runs(calibration["bundle"])
    missing = [i.name for i in inputs if any(i.name not in run for run in runs)]
    if missing:
        raise Refused("InvalidDataset", f"the calibration inputs ({calibration.get('source', '')}) lack the model's input(s) {', '.join(missing)}")
    types = {i.name: helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type) for i in inputs}
    first_dims = [i.type.tensor_type.shape.dim[0] if i.type.tensor_type.shape.dim else None for i in inputs]
    fixed = {d.dim_value for d in first_dims if d is not None and d.HasField("dim_value")}
    exact = len(fixed) == 1 and all(d is not None and d.HasField("dim_value") for d in first_dims)
    feeds = [{name: np.asarray(run[name]).astype(types[name]) for name in types} for run in runs]
    batch = fixed.pop() if exact else 1 if equal_shapes else CALIBRATION_BATCH
    out = batched(feeds, batch, exact, samples)
    if equal_shapes:
        out = most_common_shape(out)
    if not out:
        raise Refused("InvalidDataset", f"the calibration inputs ({calibration.get('source', '')}) have no rows the model takes (batch of {batch})")
    return out


def batched(runs, batch, exact, samples):
    """Runs of at most `batch` rows (`exact`: the model's fixed batch, remainders dropped), `samples` rows in all.
    A run whose inputs do not share a first axis (a scalar, a state) is one row, fed as it is."""
    out, taken = [], 0
    for feeds in runs:
        firsts = {a.shape[0] if a.ndim > 0 else None for a in feeds.values()}
        if len(firsts) != 1 or None in firsts:
            chunks = [feeds]
        else:
            n = min(firsts.pop(), samples - taken)
            stop = n - n % batch if exact else n
            chunks = [{name: a[start : min(start + batch, stop)] for name, a in feeds.items()} for start in range(0, stop, batch)]
        for chunk in chunks:
            if taken >= samples:
                return out
            out.append(chunk)
            taken += rows_of(chunk)
    return out


def most_common_shape(runs):
    """The runs whose inputs have the most common shapes (the first such shapes on a tie), in their order."""
    shapes = [tuple((name, a.shape) for name, a in sorted(run.items())) for run in runs]
    counts = {}
    for shape in shapes:
        counts[shape] = counts.get(shape, 0) + 1
    common = max(counts, key=counts.get, default=None)
    return [run for run, shape in zip(runs, shapes) if shape == common]


def rows_of(feeds):
    first = next(iter(feeds.values()), None)
    return int(first.shape[0]) if first is not None and first.ndim > 0 else 1
