"""The `check` command: the ONNX checker (full check) and strict shape inference, the model's IR
version, opsets and IO signature, and a probe that onnxruntime can create a session and run it on the
inputs the caller drew from the input profile (request["probeInputs"], a tensor bundle).
"""
from onnxSignature import onnx_io
from tensorBundles import read_runs
from toolRefusal import Refused
from toolVersions import tool_versions


def check(request):
    import onnx

    try:
        model = onnx.load(request["model"])
        onnx.checker.check_model(model, full_check=True)
        inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelValidationFailed", f"onnx checker: {e}")
    opsets = {o.domain or "ai.onnx": o.version for o in model.opset_import}
    if request.get("probeRuntime", True):
        probe_runtime(request["model"], request.get("probeInputs"))
    return {
        "irVersion": model.ir_version,
        "opsets": opsets,
        "nodes": len(model.graph.node),
        "valueInfos": len(inferred.graph.value_info),
        "io": onnx_io(model),
        "toolVersions": tool_versions(),
    }


def probe_runtime(path, probe_inputs):
    """Creates an onnxruntime session (all graph optimizations, CPU) and runs it on each run of the probe
    inputs (if given), in this throwaway process: a model that crashes onnxruntime kills this process,
    not the worker."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        for feeds in read_runs(probe_inputs) if probe_inputs else []:
            session.run(None, feeds)
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelUnloadable", f"onnxruntime {ort.__version__} cannot run the model: {e}")
