/**
 * What most integration tests run against: a CPU worker and a gateway on a fresh filesystem store,
 * and a client of this run's Temporal dev server; stopped together.
 */
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { ModelshipClient } from '../../sdk/client';
import { startGatewayProcess, startWorkerProcess, tempDir, testEnv } from './testEnv';

export interface Stack {
  storeDir: string;
  worker: ManagedProcess;
  gateway: { process: ManagedProcess; url: string };
  client: ModelshipClient;
  stop(): Promise<void>;
}

/** Starts the worker (with more variables in `workerEnv`) and the gateway (with `gatewayOptions`) on a new store named after `name`. */
export async function startStack(
  name: string,
  gatewayOptions: Parameters<typeof startGatewayProcess>[1] = {},
  workerEnv: NodeJS.ProcessEnv = {},
): Promise<Stack> {
  const storeDir = await tempDir(name);
  const [worker, gateway] = await Promise.all([startWorkerProcess(storeDir, workerEnv), startGatewayProcess(storeDir, gatewayOptions)]);
  const client = await ModelshipClient.connect({ address: testEnv('temporalAddress'), store: storeDir });
  const stack: Stack = {
    storeDir,
    worker,
    gateway,
    client,
    // What the stack holds when it stops: a test that restarts the worker puts the new one in `stack.worker`.
    async stop() {
      await stack.client.close();
      await Promise.all([stack.worker.stop(), stack.gateway.process.stop()]);
    },
  };
  return stack;
}
