"""The optimization passes, one command each, ONNX file in, ONNX file out: `optimize_graph`
(onnxruntime's basic graph optimizations) and `fp16` (float16 weights and compute, float32 IO kept).
The int8 pass has its own module, int8Quantization.py.
"""
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
    return {"parameters": {"keepIoTypes": True}, "toolVersions": tool_versions()}
