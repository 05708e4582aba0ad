"""ONNX in, ONNX out: the model checked (full check) and kept as it is, byte for byte, unless an opset
is asked for and differs from its own (then onnx.version_converter converts it); the reference is
onnxruntime's outputs of the untouched source on the golden inputs, so parity judges the copy
(converted or not) against the original.
"""
import shutil

from toolRefusal import Refused


def convert_onnx(request, runs, names, opset):
    """Writes the model (untouched, or converted to `opset` when it is set and differs) to request["output"];
    returns onnxruntime's outputs of the source model on each run."""
    import onnx

    source, output = request["source"], request["output"]
    try:
        model = onnx.load(source)
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelUnloadable", f"not a valid ONNX model: {e}")
    own = source_opset(model)
    if opset is None or own is None or own == opset:
        shutil.copyfile(source, output)
    else:
        from onnx import version_converter

        try:
            converted = version_converter.convert_version(model, opset)
            onnx.checker.check_model(converted, full_check=True)
        except Exception as e:  # noqa: BLE001
            raise Refused("ModelConversionFailed", f"onnx.version_converter cannot convert the model from opset {own} to {opset}: {e}")
        onnx.save(converted, output)
    return reference_outputs(source, runs, names)


def source_opset(model):
    """The model's default-domain (ai.onnx) opset, or None when it imports none."""
    versions = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    return versions[0] if versions else None


def reference_outputs(source, runs, names):
    """onnxruntime's outputs of the untouched source model on the golden inputs."""
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(source, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelUnloadable", f"onnxruntime {ort.__version__} cannot run the source model (its reference outputs come from it): {e}")
    return [session.run(None, {n: run[n] for n in names}) for run in runs]
