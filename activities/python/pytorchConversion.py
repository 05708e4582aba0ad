"""PyTorch to ONNX: a torch.export program (.pt2, dynamo exporter) or a TorchScript module
(TorchScript exporter, batch axis dynamic), and the source model's outputs on the golden inputs as
the reference.
"""
import numpy as np

from toolRefusal import Refused


def convert_pytorch(request, runs, names, opset):
    """Writes the ONNX model to request["output"] (exported on the first run); returns the PyTorch module's outputs on each run."""
    import torch

    source, output = request["source"], request["output"]
    torch.manual_seed(0)
    inputs = runs[0]
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
    references = []
    for run in runs:
        with torch.no_grad():
            result = module(*[torch.from_numpy(np.array(run[n])) for n in names])
        references.append([r.detach().numpy() for r in ([result] if isinstance(result, torch.Tensor) else list(result))])
    return references
