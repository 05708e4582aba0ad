"""The golden inputs a conversion runs the source model and the ONNX model on: the user's .npz file
(names = input names), or seeded samples of the declared inputs.
"""
import numpy as np

from tensorBundles import DATATYPE_TO_NUMPY
from toolRefusal import Refused


def golden_inputs(request):
    """The user's golden inputs (.npz, names = input names), or samples of the declared inputs."""
    golden = request.get("golden") or {}
    specs = request["inputs"]
    if golden.get("path"):
        try:
            data = np.load(golden["path"])
        except Exception as e:  # noqa: BLE001
            raise Refused("InvalidGoldenInputs", f"cannot read golden inputs {golden['path']}: {e}")
        out = {}
        for spec in specs:
            if spec["name"] not in data:
                raise Refused("InvalidGoldenInputs", f"golden inputs lack '{spec['name']}' (have {sorted(data.files)})")
            out[spec["name"]] = data[spec["name"]].astype(DATATYPE_TO_NUMPY[spec["datatype"]])
        return out
    rng = np.random.default_rng(golden.get("seed", 0))
    samples = golden.get("samples", 32)
    out = {}
    for spec in specs:
        shape = [samples if (d is None or d < 0) and i == 0 else (1 if d is None or d < 0 else d) for i, d in enumerate(spec["shape"])]
        dtype = DATATYPE_TO_NUMPY[spec["datatype"]]
        if np.issubdtype(dtype, np.floating):
            out[spec["name"]] = rng.standard_normal(shape).astype(dtype)
        elif dtype == np.bool_:
            out[spec["name"]] = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            out[spec["name"]] = rng.integers(0, 10, shape).astype(dtype)
    return out
