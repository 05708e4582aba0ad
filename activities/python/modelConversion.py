"""The `convert` command: a source model (PyTorch, scikit-learn, XGBoost, LightGBM or ONNX) to an ONNX file, with the
golden inputs (goldenInputs.py) and the source framework's outputs on them (the reference, one per run)
written as tensor bundles.
The per-framework work is in pytorchConversion.py, sklearnConversion.py, xgboostConversion.py,
lightgbmConversion.py (those two through boostedTrees.py) and onnxConversion.py.
"""
import numpy as np

from boostedTrees import ONNXMLTOOLS_MAX_OPSET
from goldenInputs import golden_runs
from lightgbmConversion import convert_lightgbm_model
from onnxConversion import convert_onnx
from onnxSignature import onnx_io
from pytorchConversion import convert_pytorch
from sklearnConversion import convert_sklearn_model
from tensorBundles import DATATYPE_TO_NUMPY, write_runs
from toolRefusal import Refused
from toolVersions import tool_versions
from xgboostConversion import convert_xgboost_model

CONVERTERS = {
    "pytorch": convert_pytorch,
    "sklearn": convert_sklearn_model,
    "xgboost": convert_xgboost_model,
    "lightgbm": convert_lightgbm_model,
    "onnx": convert_onnx,
}

# The opset the PyTorch and scikit-learn exporters target when the spec sets none (onnxmltools' tree
# converters: the highest they support); an ONNX source keeps its own unless one is set.
EXPORTER_DEFAULT_OPSET = 17
DEFAULT_OPSETS = {"xgboost": ONNXMLTOOLS_MAX_OPSET, "lightgbm": ONNXMLTOOLS_MAX_OPSET}


def convert(request):
    import onnx

    fmt, source, output = request["format"], request["source"], request["output"]
    opset = request.get("opset")
    if opset is None and fmt != "onnx":
        opset = DEFAULT_OPSETS.get(fmt, EXPORTER_DEFAULT_OPSET)
    if fmt == "onnx" and not request.get("inputs"):
        try:
            request["inputs"] = onnx_io(onnx.load(source))["inputs"]
        except Exception as e:  # noqa: BLE001
            raise Refused("ModelUnloadable", f"not a valid ONNX model: {e}")
    runs = golden_runs(request)
    names = [s["name"] for s in request["inputs"]]
    converter = CONVERTERS.get(fmt)
    if converter is None:
        raise Refused("ModelConversionFailed", f"unknown format {fmt}")
    references = converter(request, runs, names, opset)

    io = onnx_io(onnx.load(output))
    write_runs(request["goldenOut"], [{n: run[n] for n in names} for run in runs])
    write_runs(request["referenceOut"], [reference_bundle(io, reference) for reference in references])
    return {"io": io, "goldenCount": golden_count(runs), "toolVersions": tool_versions()}


def golden_count(runs):
    """Samples: one per run, or the batch of a single run (its first input with an axis)."""
    if len(runs) != 1:
        return len(runs)
    return next((int(a.shape[0]) for a in runs[0].values() if np.ndim(a) > 0), 1)


def reference_bundle(io, reference):
    """The source model's outputs named after the ONNX model's outputs, in the ONNX model's datatypes."""
    if len(reference) != len(io["outputs"]):
        raise Refused("ModelConversionFailed", f"the source model has {len(reference)} outputs, the ONNX model {len(io['outputs'])}")
    ref = {}
    for spec, value in zip(io["outputs"], reference):
        array = np.asarray(value)
        expected = DATATYPE_TO_NUMPY.get(spec["datatype"])
        ref[spec["name"]] = array.astype(expected) if expected is not None else array
    return ref
