/**
 * Which execution providers a target means, in order of preference, and loading a model on the
 * first that works. A GPU target never falls back to the CPU silently: it fails, naming what it tried.
 */
import type { Target } from '../sdk/schemas';
import type { ExecutionProvider, ModelRuntime, ModelSession, SessionOptions } from './modelRuntime';
import { ModelshipError } from '../sdk/errors';

export const TARGET_PROVIDERS: Readonly<Record<Target, readonly ExecutionProvider[]>> = Object.freeze({
  cpu: ['cpu'],
  gpu: ['tensorrt', 'cuda'],
});

/** No execution provider of the target could load the model. */
export class NoExecutionProviderError extends ModelshipError {
  override readonly name = 'NoExecutionProviderError';
  constructor(
    readonly target: Target,
    readonly attempts: readonly { provider: ExecutionProvider; error: string }[],
  ) {
    super(
      `no ${target.toUpperCase()} execution provider is available on this worker; tried ` +
        attempts.map((a) => `${a.provider} (${a.error})`).join(', ') +
        (target === 'gpu' ? '. GPU stages need a worker with CUDA (and optionally TensorRT) for onnxruntime-node.' : ''),
    );
  }
}

/** Loads on each provider of the target in turn; the session reports the one that worked. */
export async function loadForTarget(
  runtime: ModelRuntime,
  bytes: Uint8Array,
  target: Target,
  options: Omit<SessionOptions, 'executionProviders'> = {},
): Promise<ModelSession> {
  if (target === 'cpu') return runtime.load(bytes, { ...options, executionProviders: ['cpu'] });
  const attempts: { provider: ExecutionProvider; error: string }[] = [];
  for (const provider of TARGET_PROVIDERS[target]) {
    try {
      return await runtime.load(bytes, { ...options, executionProviders: [provider] });
    } catch (error) {
      attempts.push({ provider, error: (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 200) ?? '' });
    }
  }
  throw new NoExecutionProviderError(target, attempts);
}
