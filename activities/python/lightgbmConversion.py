"""LightGBM to ONNX: a saved model (text, or a pickled LGBMClassifier/LGBMRegressor) through
onnxmltools (no zipmap, so probabilities are a tensor), and the booster's own predictions on the
golden inputs as the reference.
"""
from boostedTrees import converter_opset, float_inputs, load_booster, references, save_with_dynamic_batch
from toolRefusal import Refused


def convert_lightgbm_model(request, runs, names, opset):
    """Writes the ONNX model to request["output"]; returns the booster's outputs on each run."""
    import lightgbm
    import onnxmltools

    booster = load_booster(request["source"], "LightGBM", lambda path: lightgbm.Booster(model_file=path), lambda m: m.booster_)
    try:
        onx = onnxmltools.convert_lightgbm(
            booster, initial_types=float_inputs(request, "LightGBM"), target_opset=converter_opset(opset, "LightGBM"), zipmap=False
        )
    except Refused:
        raise
    except Exception as e:  # noqa: BLE001
        raise Refused("ModelConversionFailed", f"onnxmltools cannot convert this LightGBM model: {type(e).__name__}: {e}")
    save_with_dynamic_batch(onx, request["output"])
    return references(onx, runs, names, booster.predict)
