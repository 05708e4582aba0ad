/** Starts the test-only CPU stand-in for a GPU worker (./cpuStandInGpuWorker.ts) and waits until it polls `modelship-gpu`. */
import { ManagedProcess } from '../../cli/dev/childProcess';
import { PACKAGE_ROOT, tsEntry } from '../../cli/dev/projectPaths';

/** The stand-in worker, with `env` (its Temporal address and store); stop it when done. */
export function startCpuStandInGpuWorker(env: NodeJS.ProcessEnv): Promise<ManagedProcess> {
  return ManagedProcess.start({
    name: 'gpu-stand-in',
    ...tsEntry('test/support/cpuStandInGpuWorker.ts'),
    env,
    cwd: PACKAGE_ROOT,
    readyPattern: /cpu stand-in for a gpu worker ready/,
    readyTimeoutMs: 60_000,
  });
}
