"""The optimization passes, one command each, ONNX file in, ONNX file out: `optimize_graph`
(onnxruntime's basic graph optimizations) and `fp16` (float16 weights and compute, float32 IO kept;
skipped when only CPU targets want it and its CPU session crashes onnxruntime, as fp16 transformer
graphs do). The int8 pass has its own module, int8Quantization.py.
"""
import os

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
