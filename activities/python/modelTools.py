"""Modelship's Python model tools: the framework converters and ONNX tools, behind a typed JSON
request/response. Called by the activities as `python modelTools.py <command>` with the request on
stdin; answers one JSON object on stdout. A refused model exits 2 with
{"error": {"type": ..., "message": ...}}; any other failure exits 1 with the traceback on stderr.

Commands: convert, check, optimize_graph, quantize_int8, fp16, bundle.
Everything that parses or runs an untrusted model happens here, in a throwaway process: a model that
crashes onnxruntime (it happens: some fp16 graphs segfault at session creation) kills this process,
which the caller reports as a refusal, instead of the worker.
Tensor bundles (golden inputs, reference outputs, evaluation sets) are JSON:
  {"tensors": {name: {"datatype": KServe type, "shape": [...], "data": base64 little-endian}}}
"""
import base64
import json
import os
import sys
import tempfile
import traceback

import numpy as np

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


class Refused(Exception):
    """The model or its inputs are unusable: retrying will not help."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def tool_versions():
    import onnx

    versions = {"numpy": np.__version__, "onnx": onnx.__version__, "python": sys.version.split()[0]}
    for name in ("onnxruntime", "torch", "sklearn", "skl2onnx", "onnxconverter_common"):
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = getattr(module, "__version__", "unknown")
    return versions


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


def read_bundle(path):
    with open(path) as f:
        return {name: decode(t) for name, t in json.load(f)["tensors"].items()}


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


def convert(request):
    import onnx

    fmt, source, output = request["format"], request["source"], request["output"]
    opset = request.get("opset") or 17
    if fmt == "onnx" and not request.get("inputs"):
        try:
            request["inputs"] = onnx_io(onnx.load(source))["inputs"]
        except Exception as e:  # noqa: BLE001
            raise Refused("ModelUnloadable", f"not a valid ONNX model: {e}")
    inputs = golden_inputs(request)
    names = [s["name"] for s in request["inputs"]]
    if fmt == "pytorch":
        import torch

        torch.manual_seed(0)
        try:
            if source.endswith(".pt2"):
                program = torch.export.load(source)
                module = program.module()
                args = tuple(torch.from_numpy(np.array(inputs[n])) for n in names)
                exported = torch.onnx.export(program, args, dynamo=True, input_names=names, output_names=request.get("outputNames"), opset_version=max(opset, 18))
                exported.save(output)
            else:
                module = torch.jit.load(source)
                args = tuple(torch.from_numpy(np.array(inputs[n])) for n in names)
                out_names = request.get("outputNames") or ["output"]
                torch.onnx.export(
                    module, args, output, dynamo=False, input_names=names, output_names=out_names, opset_version=opset,
                    dynamic_axes={**{n: {0: "batch"} for n in names}, **{n: {0: "batch"} for n in out_names}},
                )
        except FileNotFoundError:
            raise
        except Exception as e:  # noqa: BLE001
            raise Refused("ModelConversionFailed", f"torch.onnx.export failed: {type(e).__name__}: {e}")
        with torch.no_grad():
            result = module(*[torch.from_numpy(np.array(inputs[n])) for n in names])
        results = [result] if isinstance(result, torch.Tensor) else list(result)
        reference = [r.detach().numpy() for r in results]
    elif fmt == "sklearn":
        import pickle

        import sklearn  # noqa: F401
        from skl2onnx import convert_sklearn
        from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, Int64TensorType

        with open(source, "rb") as f:
            estimator = pickle.load(f)
        kinds = {"FP32": FloatTensorType, "FP64": DoubleTensorType, "INT64": Int64TensorType}
        initial = []
        for spec in request["inputs"]:
            if spec["datatype"] not in kinds:
                raise Refused("ModelConversionFailed", f"scikit-learn inputs must be FP32, FP64 or INT64, not {spec['datatype']}")
            initial.append((spec["name"], kinds[spec["datatype"]]([None, *spec["shape"][1:]])))
        options = {id(estimator): {"zipmap": False}} if hasattr(estimator, "predict_proba") else None
        try:
            onx = convert_sklearn(estimator, initial_types=initial, options=options, target_opset=opset)
        except Exception as e:  # noqa: BLE001
            raise Refused("ModelConversionFailed", f"skl2onnx cannot convert {type(estimator).__name__}: {e}")
        # skl2onnx can list a domain twice in opset_import, which other tools (the quantizer) refuse.
        seen = {}
        for o in onx.opset_import:
            seen[o.domain] = max(seen.get(o.domain, 0), o.version)
        del onx.opset_import[:]
        for domain, version in seen.items():
            onx.opset_import.append(onnx.helper.make_opsetid(domain, version))
        with open(output, "wb") as f:
            f.write(onx.SerializeToString())
        x = inputs[names[0]]
        reference = [estimator.predict(x)]
        if hasattr(estimator, "predict_proba"):
            reference.append(estimator.predict_proba(x))
    elif fmt == "onnx":
        try:
            model = onnx.load(source)
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # noqa: BLE001
            raise Refused("ModelUnloadable", f"not a valid ONNX model: {e}")
        if request.get("opset") and any(o.domain in ("", "ai.onnx") and o.version != opset for o in model.opset_import):
            from onnx import version_converter

            model = version_converter.convert_version(model, opset)
        onnx.save(model, output)
        import onnxruntime as ort

        session = ort.InferenceSession(output, providers=["CPUExecutionProvider"])
        reference = session.run(None, {n: inputs[n] for n in names})
    else:
        raise Refused("ModelConversionFailed", f"unknown format {fmt}")

    model = onnx.load(output)
    io = onnx_io(model)
    if len(reference) != len(io["outputs"]):
        raise Refused("ModelConversionFailed", f"the source model has {len(reference)} outputs, the ONNX model {len(io['outputs'])}")
    ref = {}
    for spec, value in zip(io["outputs"], reference):
        array = np.asarray(value)
        expected = DATATYPE_TO_NUMPY.get(spec["datatype"])
        ref[spec["name"]] = array.astype(expected) if expected is not None else array
    write_bundle(request["goldenOut"], {n: inputs[n] for n in names})
    write_bundle(request["referenceOut"], ref)
    return {"io": io, "goldenCount": int(next(iter(inputs.values())).shape[0]) if inputs else 0, "toolVersions": tool_versions()}


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
        probe_runtime(request["model"], onnx_io(model))
    return {
        "irVersion": model.ir_version,
        "opsets": opsets,
        "nodes": len(model.graph.node),
        "valueInfos": len(inferred.graph.value_info),
        "io": onnx_io(model),
        "toolVersions": tool_versions(),
    }


def probe_runtime(path, io):
    """Creates an onnxruntime session (all graph optimizations, CPU) and runs it once on zeros, in this
    throwaway process: a model that crashes onnxruntime kills this process, not the worker."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        feeds = {}
        for spec in io["inputs"]:
            shape = [1 if d < 0 else d for d in spec["shape"]]
            dtype = DATATYPE_TO_NUMPY.get(spec["datatype"])
            feeds[spec["name"]] = np.zeros(shape, dtype=dtype) if dtype is not None else np.full(shape, "", dtype=object)
        session.run(None, feeds)
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelUnloadable", f"onnxruntime {ort.__version__} cannot run the model: {e}")


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
    return {"parameters": {"keepIoTypes": True}, "toolVersions": tool_versions()}


def bundle(request):
    """An .npz file as a tensor bundle (evaluation sets, golden inputs)."""
    try:
        data = np.load(request["path"])
        tensors = {name: data[name] for name in data.files}
    except Exception as e:  # noqa: BLE001
        raise Refused("InvalidDataset", f"cannot read {request['path']}: {e}")
    write_bundle(request["output"], tensors)
    return {"tensors": {n: {"shape": list(a.shape), "dtype": str(a.dtype)} for n, a in tensors.items()}}


COMMANDS = {
    "convert": convert,
    "check": check,
    "optimize_graph": optimize_graph,
    "quantize_int8": quantize_int8,
    "fp16": fp16,
    "bundle": bundle,
}


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command not in COMMANDS:
        print(f"usage: modelTools.py {{{','.join(COMMANDS)}}} < request.json", file=sys.stderr)
        sys.exit(64)
    request = json.load(sys.stdin)
    try:
        response = COMMANDS[command](request)
    except Refused as e:
        print(json.dumps({"error": {"type": e.kind, "message": str(e)}}))
        sys.exit(2)
    except FileNotFoundError as e:
        print(json.dumps({"error": {"type": "ModelSourceUnreadable", "message": str(e)}}))
        sys.exit(2)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        sys.exit(1)
    print(json.dumps(response))


if __name__ == "__main__":
    main()
