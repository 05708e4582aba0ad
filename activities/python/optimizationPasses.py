"""The optimization passes, one command each, ONNX file in, ONNX file out: `optimize_graph`
(onnxruntime's basic graph optimizations), `quantize_int8` (dynamic int8 quantization of the
weights) and `fp16` (float16 weights and compute, float32 IO kept; skipped when only CPU targets want it and its
CPU session crashes onnxruntime, as fp16 transformer graphs do).
"""
import os
import tempfile

from cpuSessionProbe import cpu_session_crash
from toolRefusal import Refused
from toolVersions import tool_versions


def optimize_graph(request):
    """onnxruntime's basic (hardware-independent) graph optimizations, serialized to a file."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = request["output"]
    try:
        ort.InferenceSession(request["model"], options, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001
        raise Refused("OptimizationFailed", f"graph optimization failed: {e}")
    return {"parameters": {"level": "basic"}, "toolVersions": tool_versions()}


def quantize_int8(request):
    import onnxruntime  # noqa: F401
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    import onnx

    with tempfile.TemporaryDirectory() as tmp:
        # Exporters leave value_info that the quantizer's own shape inference can contradict; drop it.
        stripped = os.path.join(tmp, "stripped.onnx")
        model = onnx.load(request["model"])
        del model.graph.value_info[:]
        onnx.save(model, stripped)
        prepared = os.path.join(tmp, "prepared.onnx")
        try:
            quant_pre_process(stripped, prepared, skip_symbolic_shape=True)
        except Exception:  # noqa: BLE001  (pre-processing is an optimisation; quantize without it)
            prepared = stripped
        try:
            quantize_dynamic(prepared, request["output"], weight_type=QuantType.QInt8, per_channel=request.get("perChannel", False))
        except Exception as e:  # noqa: BLE001
            raise Refused("OptimizationFailed", f"int8 dynamic quantization failed: {e}")
    return {"parameters": {"weightType": "QInt8", "perChannel": request.get("perChannel", False)}, "toolVersions": tool_versions()}


def fp16(request):
    import onnx
    from onnxconverter_common import float16

    model = onnx.load(request["model"])
    try:
        converted = float16.convert_float_to_float16(model, keep_io_types=True)
    except Exception as e:  # noqa: BLE001
        raise Refused("OptimizationFailed", f"fp16 conversion failed: {e}")
    onnx.save(converted, request["output"])
    # Only CPU targets want it: a copy whose CPU session crashes onnxruntime (fp16 transformer graphs) is no candidate.
    if request.get("targets") == ["cpu"] and (crash := cpu_session_crash(request["output"])):
        os.remove(request["output"])
        reason = f"the fp16 copy crashes onnxruntime's CPU session creation ({crash}); fp16 is for GPU targets"
        return {"skipped": reason, "parameters": {"keepIoTypes": True}, "toolVersions": tool_versions()}
    return {"parameters": {"keepIoTypes": True}, "toolVersions": tool_versions()}
