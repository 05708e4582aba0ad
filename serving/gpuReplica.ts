/**
 * A GPU replica's start check: it serves on the GPU or not at all. It loads a probe model with
 * TensorRT and CUDA registered together, then CUDA alone (`runtime/gpuProbe.ts`); when neither loads it refuses to start, naming what it
 * checked and what to do, rather than serving its GPU picks on the CPU.
 */
import type { ModelRuntime } from '../runtime';
import { probeGpu } from '../runtime/gpuProbe';
import { GPU_PROVIDER_INSTALL, gpuProviderLibraries } from '../runtime/gpuProviderLibraries';
import { SetupError } from '../sdk/errors';

/** Resolves with the provider a GPU replica will load its models with; throws a {@link SetupError} when there is none. */
export async function requireGpu(runtime: ModelRuntime): Promise<string> {
  const probe = await probeGpu(runtime);
  if (probe.available) return probe.provider;
  const libraries = gpuProviderLibraries();
  const missing =
    libraries.missing.length > 0
      ? ` onnxruntime-node's GPU provider libraries are missing from ${libraries.folder} (${libraries.missing.join(', ')}): install them with \`${GPU_PROVIDER_INSTALL}\`.`
      : '';
  const tried = probe.attempts.map((a) => `${a.provider} (${a.error})`).join(', ');
  throw new SetupError(
    `this gateway replica cannot serve on the GPU (--target gpu): it loaded a probe model with TensorRT+CUDA, then CUDA alone, and both failed: tried ${tried}`,
    `Start GPU replicas on a machine with an NVIDIA GPU, its driver, CUDA 12 and cuDNN 9 (TensorRT optional).${missing} ` +
      "Or serve on the CPU: `modelship serve --target cpu` (the default), which serves each version's cpu pick.",
  );
}
