"""An ONNX model's IO signature (inputs other than initializers, and outputs, each with its name,
KServe datatype and shape, -1 for a dynamic axis), as the activities' schemas expect it.
"""
import numpy as np

from tensorBundles import NUMPY_TO_DATATYPE
from toolRefusal import Refused


def onnx_io(model):
    import onnx

    def spec(value):
        t = value.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else -1 for d in t.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(t.elem_type)
        return {"name": value.name, "datatype": NUMPY_TO_DATATYPE.get(np.dtype(dtype).str, "BYTES"), "shape": dims}

    initializers = {i.name for i in model.graph.initializer}
    return {
        "inputs": [spec(v) for v in model.graph.input if v.name not in initializers],
        "outputs": [spec(v) for v in model.graph.output],
    }


def signature(request):
    """The `signature` command: an ONNX file's IO signature, read without checking or running the model."""
    import onnx

    try:
        return {"io": onnx_io(onnx.load(request["model"], load_external_data=False))}
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelUnloadable", f"not a valid ONNX model: {e}")
