"""ONNX in, ONNX out: the model checked (full check), converted to the requested opset when it asks
for another, and onnxruntime's outputs on the golden inputs as the reference.
"""
from toolRefusal import Refused


def convert_onnx(request, runs, names, opset):
    """Writes the (checked, possibly re-versioned) model to request["output"]; returns onnxruntime's outputs on each run."""
    import onnx

    output = request["output"]
    try:
        model = onnx.load(request["source"])
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelUnloadable", f"not a valid ONNX model: {e}")
    if request.get("opset") and any(o.domain in ("", "ai.onnx") and o.version != opset for o in model.opset_import):
        from onnx import version_converter

        model = version_converter.convert_version(model, opset)
    onnx.save(model, output)
    import onnxruntime as ort

    session = ort.InferenceSession(output, providers=["CPUExecutionProvider"])
    return [session.run(None, {n: run[n] for n in names}) for run in runs]
