"""The versions of the tools that made an artifact (numpy, onnx, Python, and whichever of
onnxruntime, torch, scikit-learn, skl2onnx, skops, onnxconverter-common, xgboost, lightgbm and onnxmltools the command imported), recorded
in the model's lineage.
"""
import sys

import numpy as np


def tool_versions():
    import onnx

    versions = {"numpy": np.__version__, "onnx": onnx.__version__, "python": sys.version.split()[0]}
    for name in ("onnxruntime", "torch", "sklearn", "skl2onnx", "skops", "onnxconverter_common", "xgboost", "lightgbm", "onnxmltools"):
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = getattr(module, "__version__", "unknown")
    return versions
