"""MLServer runtime for `npm run bench:gateway`: one onnxruntime session, v2 tensors in and out."""
import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OrtModel(MLModel):
    async def load(self) -> bool:
        self.session = ort.InferenceSession(self.settings.parameters.uri, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        features = NumpyCodec.decode_input(payload.inputs[0]).astype(np.float32, copy=False)
        outputs = self.session.run(None, {self.input_name: features})
        names = [o.name for o in self.session.get_outputs()]
        return InferenceResponse(model_name=self.name, outputs=[NumpyCodec.encode_output(n, v) for n, v in zip(names, outputs)])
