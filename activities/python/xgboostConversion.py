"""XGBoost to ONNX: a saved model (JSON or UBJSON, or a pickled XGBClassifier/XGBRegressor)
through onnxmltools, and the booster's own predictions on the golden inputs as the reference.
"""
from boostedTrees import converter_opset, float_inputs, load_booster, references, save_with_dynamic_batch
from toolRefusal import Refused


def convert_xgboost_model(request, runs, names, opset):
    """Writes the ONNX model to request["output"]; returns the booster's outputs on each run."""
    import onnxmltools
    import xgboost

    booster = load_booster(request["source"], "XGBoost", lambda path: xgboost.Booster(model_file=path), lambda m: m.get_booster())
    try:
        onx = onnxmltools.convert_xgboost(booster, initial_types=float_inputs(request, "XGBoost"), target_opset=converter_opset(opset, "XGBoost"))
    except Refused:
        raise
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelConversionFailed", f"onnxmltools cannot convert this XGBoost model: {type(e).__name__}: {e}")
    save_with_dynamic_batch(onx, request["output"])
    return references(onx, runs, names, lambda x: booster.predict(xgboost.DMatrix(x)))
