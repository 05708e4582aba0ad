"""Modelship's Python model tools: the framework converters and ONNX tools, behind a typed JSON
request/response. Called by the activities as `python modelTools.py <command>` with the request on
stdin; answers one JSON object on stdout. A refused model exits 2 with
{"error": {"type": ..., "message": ...}}; any other failure exits 1 with the traceback on stderr.

Commands: convert, check, signature, optimize_graph, quantize_int8, fp16, fuse_transformer, bundle, npz.
A command may answer {"skipped": reason, ...} when it does not apply to the model (fuse_transformer without attention).
Everything that parses or runs an untrusted model happens here, in a throwaway process: a model that
crashes onnxruntime (it happens: some fp16 graphs segfault at session creation) kills this process,
which the caller reports as a refusal, instead of the worker.
Tensor bundles (golden inputs, reference outputs, evaluation sets) are JSON:
  {"tensors": {name: {"datatype": KServe type, "shape": [...], "data": base64 little-endian}}}

This file is the entry point (command line, answer and exit codes); the commands live in the
modules beside it, imported from this script's folder (sys.path[0] when run by path):
  modelConversion.py (convert; per framework: pytorchConversion.py, sklearnConversion.py,
  xgboostConversion.py, lightgbmConversion.py, boostedTrees.py, onnxConversion.py), onnxCheck.py (check), optimizationPasses.py (optimize_graph, fp16),
  int8Quantization.py (quantize_int8, after quantizationPreprocessing.py), transformerFusion.py and packedAttentionFusion.py (fuse_transformer),
  tensorBundles.py (bundle, npz, and the bundle format), goldenInputs.py, onnxSignature.py (signature),
  toolRefusal.py, toolVersions.py.
"""
import json
import sys
import traceback

# The sibling modules are imported from the package's folder, which may be read-only or shared: no .pyc files there.
sys.dont_write_bytecode = True

from modelConversion import convert  # noqa: E402
from onnxCheck import check  # noqa: E402
from onnxSignature import signature  # noqa: E402
from int8Quantization import quantize_int8  # noqa: E402
from optimizationPasses import fp16, optimize_graph  # noqa: E402
from tensorBundles import bundle, npz  # noqa: E402
from transformerFusion import fuse_transformer  # noqa: E402
from toolRefusal import Refused  # noqa: E402

COMMANDS = {
    "convert": convert,
    "check": check,
    "signature": signature,
    "optimize_graph": optimize_graph,
    "quantize_int8": quantize_int8,
    "fp16": fp16,
    "fuse_transformer": fuse_transformer,
    "bundle": bundle,
    "npz": npz,
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
