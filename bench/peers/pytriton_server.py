"""Triton (through PyTriton) for `npm run bench:gateway`: a Python inference function running
onnxruntime behind Triton's dynamic batcher (max batch 32, 2 ms queue delay), on HTTP and gRPC.
Usage: pytriton_server.py <model.onnx> <workspace dir> <http port> <grpc port> <metrics port>"""
import signal
import sys

import numpy as np
import onnxruntime as ort
from pytriton.decorators import batch
from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig

model_path, workspace, (http_port, grpc_port, metrics_port) = sys.argv[1], sys.argv[2], map(int, sys.argv[3:6])
session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])


@batch
def infer(features):
    (logits,) = session.run(None, {"features": features})
    return {"logits": logits}


# SIGTERM unwinds through the `with`, which stops tritonserver and its Python backend stubs.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
config = TritonConfig(http_address="127.0.0.1", http_port=http_port, grpc_address="127.0.0.1", grpc_port=grpc_port, metrics_port=metrics_port)
with Triton(config=config, workspace=workspace) as triton:
    triton.bind(
        model_name="mlp",
        infer_func=infer,
        inputs=[Tensor(name="features", dtype=np.float32, shape=(256,))],
        outputs=[Tensor(name="logits", dtype=np.float32, shape=(10,))],
        config=ModelConfig(max_batch_size=32, batcher=DynamicBatcher(max_queue_delay_microseconds=2000)),
        strict=False,
    )
    print("pytriton: serving", flush=True)
    triton.serve()
