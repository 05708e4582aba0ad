"""Calls a KServe v2 gRPC server with tritonclient.grpc, unmodified, as users of existing v2 clients would.

Usage: python tritonGrpcClient.py <host:port> < calls.json
calls.json: a list of calls, each {"call": <name>, ...}; prints a JSON list with one result per call.
  live | ready | server_metadata | repository_index
  model_ready {"model", "version"?} | model_metadata {"model", "version"?}
  infer {"model", "version"?, "inputs": [{"name", "datatype", "shape", "data"}], "outputs"?: [names],
         "typed"?: bool, "headers"?: {name: value}, "id"?: str}
    typed false (default): tritonclient's InferInput.set_data_from_numpy (raw_input_contents);
    typed true: a ModelInferRequest with typed `contents`, built from tritonclient's own generated
    messages (service_pb2) and sent with its generated stub.
INT64 and UINT64 elements are decimal strings both ways (exact beyond 2**53).
A call that fails gives {"error": {"code": "<gRPC status name>", "message": "..."}}.
"""
import json
import sys

import grpc
import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import InferenceServerException, deserialize_bytes_tensor, triton_to_np_dtype

CONTENTS = {
    "BOOL": "bool_contents",
    "UINT8": "uint_contents",
    "UINT16": "uint_contents",
    "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "INT8": "int_contents",
    "INT16": "int_contents",
    "INT32": "int_contents",
    "INT64": "int64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
    "BYTES": "bytes_contents",
}


WIDE = ("INT64", "UINT64")


def elements(spec):
    if spec["datatype"] == "BYTES":
        return [s.encode() for s in spec["data"]]
    return [int(x) for x in spec["data"]] if spec["datatype"] in WIDE else spec["data"]


def to_numpy(spec):
    dtype = np.object_ if spec["datatype"] == "BYTES" else triton_to_np_dtype(spec["datatype"])
    return np.array(elements(spec), dtype=dtype).reshape(spec["shape"])


def jsonable(values, datatype):
    values = values.flatten().tolist() if isinstance(values, np.ndarray) else list(values)
    if datatype == "BYTES":
        return [x.decode() if isinstance(x, bytes) else x for x in values]
    return [str(x) for x in values] if datatype in WIDE else values


def infer_raw(client, call):
    inputs = []
    for spec in call["inputs"]:
        i = grpcclient.InferInput(spec["name"], spec["shape"], spec["datatype"])
        i.set_data_from_numpy(to_numpy(spec))
        inputs.append(i)
    outputs = [grpcclient.InferRequestedOutput(n) for n in call["outputs"]] if call.get("outputs") else None
    result = client.infer(
        call["model"], inputs, model_version=call.get("version", ""), outputs=outputs, request_id=call.get("id", "raw-1"), headers=call.get("headers")
    )
    response = result.get_response()
    return {
        "id": response.id,
        "model_name": response.model_name,
        "model_version": response.model_version,
        "raw": len(response.raw_output_contents) > 0,
        "outputs": {
            o.name: {"datatype": o.datatype, "shape": list(o.shape), "data": jsonable(result.as_numpy(o.name), o.datatype)} for o in response.outputs
        },
    }


def infer_typed(address, call):
    request = service_pb2.ModelInferRequest(model_name=call["model"], model_version=call.get("version", ""), id=call.get("id", "typed-1"))
    for spec in call["inputs"]:
        tensor = request.inputs.add(name=spec["name"], datatype=spec["datatype"], shape=spec["shape"])
        field = CONTENTS.get(spec["datatype"])
        if field is None:
            continue  # FP16 has no typed contents: sent without elements
        getattr(tensor.contents, field).extend(elements(spec))
    for name in call.get("outputs") or []:
        request.outputs.add(name=name)
    with grpc.insecure_channel(address) as channel:
        response = service_pb2_grpc.GRPCInferenceServiceStub(channel).ModelInfer(request, metadata=list((call.get("headers") or {}).items()))
    outputs = {}
    for index, o in enumerate(response.outputs):
        if response.raw_output_contents:
            blob = response.raw_output_contents[index]
            array = deserialize_bytes_tensor(blob) if o.datatype == "BYTES" else np.frombuffer(blob, dtype=triton_to_np_dtype(o.datatype))
            data = jsonable(array, o.datatype)
        else:
            data = jsonable(getattr(o.contents, CONTENTS[o.datatype]), o.datatype)
        outputs[o.name] = {"datatype": o.datatype, "shape": list(o.shape), "data": data}
    return {
        "id": response.id,
        "model_name": response.model_name,
        "model_version": response.model_version,
        "raw": len(response.raw_output_contents) > 0,
        "outputs": outputs,
    }


def run(client, address, call):
    kind = call["call"]
    headers = call.get("headers")
    if kind == "live":
        return client.is_server_live(headers=headers)
    if kind == "ready":
        return client.is_server_ready(headers=headers)
    if kind == "server_metadata":
        return client.get_server_metadata(headers=headers, as_json=True)
    if kind == "repository_index":
        return client.get_model_repository_index(headers=headers, as_json=True)
    if kind == "model_ready":
        return client.is_model_ready(call["model"], call.get("version", ""), headers=headers)
    if kind == "model_metadata":
        return client.get_model_metadata(call["model"], call.get("version", ""), headers=headers, as_json=True)
    if kind == "infer":
        return infer_typed(address, call) if call.get("typed") else infer_raw(client, call)
    raise ValueError(f"unknown call {kind}")


def main():
    address = sys.argv[1]
    client = grpcclient.InferenceServerClient(url=address)
    results = []
    for call in json.load(sys.stdin):
        try:
            results.append(run(client, address, call))
        except InferenceServerException as error:
            results.append({"error": {"code": str(error.status()).replace("StatusCode.", ""), "message": error.message()}})
        except grpc.RpcError as error:
            results.append({"error": {"code": error.code().name, "message": error.details()}})
    print(json.dumps(results))


if __name__ == "__main__":
    main()
