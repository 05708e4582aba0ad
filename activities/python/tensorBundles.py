"""Tensor bundles (golden inputs, reference outputs, evaluation sets) as JSON files:
  {"tensors": {name: {"datatype": KServe type, "shape": [...], "data": base64 little-endian}}}
or, for inputs fed one run at a time (a fixed batch of 1, shapes that vary) and their outputs:
  {"runs": [{name: tensor, ...}, ...]}
The KServe datatype <-> numpy tables, encoding and decoding one tensor, reading and writing a bundle,
and the `bundle` command (an .npz file as a bundle).
"""
import base64
import json
import os

import numpy as np

from toolRefusal import Refused

DATATYPE_TO_NUMPY = {
    "BOOL": np.bool_,
    "UINT8": np.uint8,
    "UINT16": np.uint16,
    "UINT32": np.uint32,
    "UINT64": np.uint64,
    "INT8": np.int8,
    "INT16": np.int16,
    "INT32": np.int32,
    "INT64": np.int64,
    "FP16": np.float16,
    "FP32": np.float32,
    "FP64": np.float64,
}
NUMPY_TO_DATATYPE = {np.dtype(v).str: k for k, v in DATATYPE_TO_NUMPY.items()}


def encode(array):
    array = np.ascontiguousarray(array)
    key = array.dtype.newbyteorder("<").str if array.dtype.byteorder == ">" else array.dtype.str
    datatype = NUMPY_TO_DATATYPE.get(np.dtype(array.dtype).newbyteorder("=").str) or NUMPY_TO_DATATYPE.get(key)
    if datatype is None:
        raise Refused("ModelConversionFailed", f"unsupported output dtype {array.dtype}")
    return {"datatype": datatype, "shape": list(array.shape), "data": base64.b64encode(array.astype(array.dtype.newbyteorder("<")).tobytes()).decode()}


def decode(tensor):
    dtype = np.dtype(DATATYPE_TO_NUMPY[tensor["datatype"]]).newbyteorder("<")
    return np.frombuffer(base64.b64decode(tensor["data"]), dtype=dtype).reshape(tensor["shape"])


def write_bundle(path, tensors):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump({"tensors": {name: encode(a) for name, a in tensors.items()}}, f)
    os.replace(tmp, path)


def write_runs(path, runs):
    """Several runs as a bundle; one run as a one-set bundle."""
    if len(runs) == 1:
        return write_bundle(path, runs[0])
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump({"runs": [{name: encode(a) for name, a in run.items()} for run in runs]}, f)
    os.replace(tmp, path)


def read_runs(path):
    """The runs of a bundle (a one-set bundle is one run)."""
    with open(path) as f:
        bundle = json.load(f)
    runs = bundle["runs"] if "runs" in bundle else [bundle["tensors"]]
    return [{name: decode(t) for name, t in run.items()} for run in runs]


def bundle(request):
    """An .npz file as a tensor bundle (evaluation sets, golden inputs)."""
    try:
        data = np.load(request["path"])
        tensors = {name: data[name] for name in data.files}
    except Exception as e:  # noqa: BLE001
        raise Refused("InvalidDataset", f"cannot read {request['path']}: {e}")
    write_bundle(request["output"], tensors)
    return {"tensors": {n: {"shape": list(a.shape), "dtype": str(a.dtype)} for n, a in tensors.items()}}
