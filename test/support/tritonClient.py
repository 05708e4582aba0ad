"""Calls a v2 server with tritonclient, as users of existing v2 clients would (binary tensors by default).

Usage: python tritonClient.py <url host:port> <model> < request.json
request.json: {"inputs": [{"name", "datatype", "shape", "data"}], "request_outputs": [names] (optional)}
Prints JSON: liveness, model metadata, and the outputs of a binary-data and a JSON-data request.
"""
import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import triton_to_np_dtype


def to_numpy(spec):
    if spec["datatype"] == "BYTES":
        return np.array([s.encode() for s in spec["data"]], dtype=np.object_).reshape(spec["shape"])
    return np.array(spec["data"], dtype=triton_to_np_dtype(spec["datatype"])).reshape(spec["shape"])


def jsonable(array):
    if array.dtype == np.object_:
        return [x.decode() if isinstance(x, bytes) else x for x in array.flatten().tolist()]
    return array.flatten().tolist()


def infer(client, model, request, binary):
    inputs = []
    for spec in request["inputs"]:
        i = httpclient.InferInput(spec["name"], spec["shape"], spec["datatype"])
        i.set_data_from_numpy(to_numpy(spec), binary_data=binary)
        inputs.append(i)
    outputs = None
    if request.get("request_outputs") or not binary:
        names = request.get("request_outputs") or [o["name"] for o in client.get_model_metadata(model)["outputs"]]
        outputs = [httpclient.InferRequestedOutput(n, binary_data=binary) for n in names]
    result = client.infer(model, inputs, outputs=outputs, request_id="triton-1")
    response = result.get_response()
    return {
        "id": response.get("id"),
        "model_version": response.get("model_version"),
        "outputs": {
            o["name"]: {"datatype": o["datatype"], "shape": o["shape"], "data": jsonable(result.as_numpy(o["name"]))}
            for o in response["outputs"]
        },
    }


def main():
    url, model = sys.argv[1], sys.argv[2]
    request = json.load(sys.stdin)
    client = httpclient.InferenceServerClient(url=url)
    print(
        json.dumps(
            {
                "live": client.is_server_live(),
                "ready": client.is_model_ready(model),
                "metadata": client.get_model_metadata(model),
                "binary": infer(client, model, request, True),
                "json": infer(client, model, request, False),
            }
        )
    )


if __name__ == "__main__":
    main()
