"""The golden inputs a conversion runs the source model and the ONNX model on, as a list of runs (each a
dict of input name -> array, fed at once). Either the runs Modelship drew from the input profile (a
tensor bundle the caller wrote: shapes and values are decided there, not here), or the user's .npz
file (names = input names, first axis = samples), kept as one batch or split into one run per sample.
"""
import numpy as np

from tensorBundles import DATATYPE_TO_NUMPY, read_runs
from toolRefusal import Refused


def golden_runs(request):
    """request["golden"]: {"bundle": path} (drawn runs) or {"path": .npz, "perSample": bool}."""
    golden = request.get("golden") or {}
    if golden.get("bundle"):
        return read_runs(golden["bundle"])
    return npz_runs(golden["path"], request["inputs"], golden.get("perSample"))


def npz_runs(path, specs, per_sample, kind="InvalidGoldenInputs", what="golden inputs"):
    """The runs of an .npz file (names = input names, first axis = samples): one batch, or one run per sample."""
    data = read_npz(path, specs, kind, what)
    if not per_sample:
        return [data]
    counts = {name: a.shape[0] if a.ndim else 0 for name, a in data.items()}
    if len(set(counts.values())) != 1 or 0 in counts.values():
        raise Refused(kind, f"every array of the {what} {path} needs the same number of samples on its first axis (have {counts})")
    ranks = {s["name"]: len(s["shape"]) for s in specs}
    # A sample is array[i] when the file adds a samples axis to the model's rank, else array[i:i+1] (a batch of one).
    return [{name: a[i] if a.ndim == ranks[name] + 1 else a[i : i + 1] for name, a in data.items()} for i in range(next(iter(counts.values())))]


def read_npz(path, specs, kind="InvalidGoldenInputs", what="golden inputs"):
    """One array per declared input, in the input's datatype."""
    try:
        data = np.load(path)
    except Exception as e:  # noqa: BLE001
        raise Refused(kind, f"cannot read {what} {path}: {e}")
    out = {}
    for spec in specs:
        if spec["name"] not in data:
            raise Refused(kind, f"{what} lack '{spec['name']}' (have {sorted(data.files)})")
        out[spec["name"]] = data[spec["name"]].astype(DATATYPE_TO_NUMPY[spec["datatype"]])
    return out
