/** Calling the gateway over HTTP, and onnxruntime in-process, to compare them. */
import { readFile } from 'node:fs/promises';
import { OnnxRuntime, type TensorMap } from '../../runtime';

export interface V2Output {
  name: string;
  datatype: string;
  shape: number[];
  data: number[];
}

export async function inferHttp(
  url: string,
  model: string,
  inputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[],
): Promise<{ status: number; body: { model_version?: string; outputs?: V2Output[]; error?: string } }> {
  const response = await fetch(`${url}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

/** Runs a model file in this process with onnxruntime-node. */
export async function inferInProcess(modelFile: string, feeds: TensorMap): Promise<TensorMap> {
  const session = await new OnnxRuntime().load(await readFile(modelFile));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}
