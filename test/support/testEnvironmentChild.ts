/**
 * A test process that starts a {@link ModelshipTestEnvironment} and then only waits: it prints the
 * pids of the environment's processes as one JSON line (`{"pids":[…]}`) for the test that kills it
 * with SIGKILL (testEnvironment.test.ts), to see that nothing it started outlives it.
 */
import { ModelshipTestEnvironment } from '../../testing';

async function main(): Promise<void> {
  const env = await ModelshipTestEnvironment.create();
  const { server, worker, gateway } = env.environment;
  console.log(JSON.stringify({ pids: [server.process.pid, worker.pid, gateway.pid], stateDir: env.stateDir }));
  setInterval(() => undefined, 1 << 30); // until killed
}

void main();
