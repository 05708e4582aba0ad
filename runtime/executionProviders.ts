/**
 * Which execution providers a target means, in order of preference, and loading a model on the
 * first set that works. A GPU target never lists the CPU: TensorRT is registered together with CUDA
 * (onnxruntime gives CUDA the nodes TensorRT cannot take, instead of the CPU), then CUDA alone; when
 * neither loads it fails, naming what it tried. The session reports the providers registered.
 */
import type { Target } from '../sdk/schemas';
import type { ExecutionProvider, ModelRuntime, ModelSession, SessionOptions } from './modelRuntime';
import { ModelshipError } from '../sdk/errors';

/** Per target, the provider lists to register, tried in order (each list in onnxruntime's order of preference). */
export const TARGET_PROVIDERS: Readonly<Record<Target, readonly (readonly ExecutionProvider[])[]>> = Object.freeze({
  cpu: [['cpu']],
  gpu: [['tensorrt', 'cuda'], ['cuda']],
});

/** How a provider list is named in reports and logs: `tensorrt+cuda`. */
export const providersLabel = (providers: readonly ExecutionProvider[]): string => providers.join('+');

/** No execution provider of the target could load the model. */
export class NoExecutionProviderError extends ModelshipError {
  override readonly name = 'NoExecutionProviderError';
  constructor(
    readonly target: Target,
    readonly attempts: readonly { provider: string; error: string }[],
  ) {
    super(
      `no ${target.toUpperCase()} execution provider is available on this worker; tried ` +
        attempts.map((a) => `${a.provider} (${a.error})`).join(', ') +
        (target === 'gpu' ? '. GPU stages need a worker with CUDA (and optionally TensorRT) for onnxruntime-node.' : ''),
    );
  }
}

/** Loads with each provider list of the target in turn; the session reports the providers registered. */
export async function loadForTarget(
  runtime: ModelRuntime,
  bytes: Uint8Array,
  target: Target,
  options: Omit<SessionOptions, 'executionProviders'> = {},
): Promise<ModelSession> {
  if (target === 'cpu') return runtime.load(bytes, { ...options, executionProviders: ['cpu'] });
  const attempts: { provider: string; error: string }[] = [];
  for (const providers of TARGET_PROVIDERS[target]) {
    try {
      return await runtime.load(bytes, { ...options, executionProviders: providers });
    } catch (error) {
      attempts.push({
        provider: providersLabel(providers),
        error: (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 200) ?? '',
      });
    }
  }
  throw new NoExecutionProviderError(target, attempts);
}
