/**
 * Whether onnxruntime-node's GPU execution provider libraries are installed beside its binding. Its
 * install script downloads them on linux/x64 (`ONNXRUNTIME_NODE_INSTALL=skip` leaves them out); the
 * CUDA and TensorRT providers cannot load without them, whatever GPU the machine has.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The provider libraries onnxruntime-node's install script puts in `bin/napi-v6/linux/x64` (its `cuda12` manifest). */
export const GPU_PROVIDER_LIBRARIES = [
  'libonnxruntime_providers_shared.so',
  'libonnxruntime_providers_cuda.so',
  'libonnxruntime_providers_tensorrt.so',
] as const;

/** How to install them: onnxruntime-node's install script, run again with its CUDA 12 manifest. */
export const GPU_PROVIDER_INSTALL = 'ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node';

export interface GpuProviderLibraries {
  /** The folder they belong in. */
  folder: string;
  /** The libraries not there (all of them on a platform onnxruntime-node ships no GPU providers for). */
  missing: string[];
}

/** Which of the GPU provider libraries are missing from onnxruntime-node's binary folder for this platform. */
export function gpuProviderLibraries(platform: string = process.platform, arch: string = process.arch): GpuProviderLibraries {
  const folder = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', platform, arch);
  if (platform !== 'linux' || arch !== 'x64') return { folder, missing: [...GPU_PROVIDER_LIBRARIES] };
  return { folder, missing: GPU_PROVIDER_LIBRARIES.filter((name) => !existsSync(join(folder, name))) };
}
