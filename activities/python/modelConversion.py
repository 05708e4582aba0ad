"""The `convert` command: a source model (PyTorch, scikit-learn or ONNX) to an ONNX file, with the
golden inputs and the source framework's outputs on them (the reference) written as tensor bundles.
The per-framework work is in pytorchConversion.py, sklearnConversion.py and onnxConversion.py.
"""
import numpy as np

from goldenInputs import golden_inputs
from onnxConversion import convert_onnx
from onnxSignature import onnx_io
from pytorchConversion import convert_pytorch
from sklearnConversion import convert_sklearn_model
from tensorBundles import DATATYPE_TO_NUMPY, write_bundle
from toolRefusal import Refused
from toolVersions import tool_versions

CONVERTERS = {
    "pytorch": convert_pytorch,
    "sklearn": convert_sklearn_model,
    "onnx": convert_onnx,
}

# The opset the PyTorch and scikit-learn exporters target when the spec sets none; an ONNX source
# keeps its own unless one is set.
EXPORTER_DEFAULT_OPSET = 17


def convert(request):
    import onnx

    fmt, source, output = request["format"], request["source"], request["output"]
    opset = request.get("opset")
    if opset is None and fmt != "onnx":
        opset = EXPORTER_DEFAULT_OPSET
    if fmt == "onnx" and not request.get("inputs"):
        try:
            request["inputs"] = onnx_io(onnx.load(source))["inputs"]
        except Exception as e:  # noqa: BLE001
            raise Refused("ModelUnloadable", f"not a valid ONNX model: {e}")
    inputs = golden_inputs(request)
    names = [s["name"] for s in request["inputs"]]
    converter = CONVERTERS.get(fmt)
    if converter is None:
        raise Refused("ModelConversionFailed", f"unknown format {fmt}")
    reference = converter(request, inputs, names, opset)

    io = onnx_io(onnx.load(output))
    ref = reference_bundle(io, reference)
    write_bundle(request["goldenOut"], {n: inputs[n] for n in names})
    write_bundle(request["referenceOut"], ref)
    return {"io": io, "goldenCount": int(next(iter(inputs.values())).shape[0]) if inputs else 0, "toolVersions": tool_versions()}


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
