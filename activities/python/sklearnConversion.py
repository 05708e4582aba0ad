"""scikit-learn to ONNX: a pickled estimator (or a skops archive, MLflow 3's default) through skl2onnx (no zipmap, so probabilities are a
tensor), its opset list made unique per domain, and the estimator's predict (and predict_proba) on
the golden inputs as the reference.
"""
from skopsLoading import is_skops, load_skops
from toolRefusal import Refused


def convert_sklearn_model(request, runs, names, opset):
    """Writes the ONNX model to request["output"]; returns the estimator's outputs on each run."""
    import pickle

    import onnx
    import sklearn  # noqa: F401
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, Int64TensorType

    if is_skops(request["source"]):
        estimator = load_skops(request["source"], "scikit-learn")
    else:
        with open(request["source"], "rb") as f:
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
    with open(request["output"], "wb") as f:
        f.write(onx.SerializeToString())
    references = []
    for run in runs:
        x = run[names[0]]
        references.append([estimator.predict(x), *([estimator.predict_proba(x)] if hasattr(estimator, "predict_proba") else [])])
    return references
