/** Does this machine have a GPU execution provider onnxruntime-node can use? Asked by loading a tiny model. */
import type { ModelRuntime } from './modelRuntime';
import { loadForTarget, NoExecutionProviderError } from './executionProviders';

/** A one-node Identity model (FP32 [1] → [1]), built with onnx.helper. */
const PROBE_MODEL = Buffer.from('CAg6OwoQCgF4EgF5IghJZGVudGl0eRIFcHJvYmVaDwoBeBIKCggIARIECgIIAWIPCgF5EgoKCAgBEgQKAggBQgQKABAR', 'base64');

export type GpuProbe = { available: true; provider: string } | { available: false; reason: string; attempts: NoExecutionProviderError['attempts'] };

export async function probeGpu(runtime: ModelRuntime): Promise<GpuProbe> {
  try {
    const session = await loadForTarget(runtime, PROBE_MODEL, 'gpu');
    const provider = session.runtime.executionProvider;
    await session.release();
    return { available: true, provider };
  } catch (error) {
    if (error instanceof NoExecutionProviderError) return { available: false, reason: error.message, attempts: error.attempts };
    throw error;
  }
}
