/**
 * One model instance: the body of a worker thread started by `instancePool.ts`. It loads its own
 * onnxruntime session from the model's bytes, warms it up, says it is ready (with the IO signature), then runs
 * each request it is posted, timing `session.run` itself, and posts the outputs back transferred
 * (or exits instead, when the pool asked it to stop meanwhile).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { forTransfer, STOP_REQUESTED, STOPPED_EXIT_CODE, type InstanceData, type InstanceMessage, type RunRequest } from './instanceMessages';
import type { ModelSession } from './modelRuntime';
import { loadInThread } from './onnxRuntime';
import { profileFeeds } from './syntheticInputs';

const port = parentPort;
if (!port) throw new Error('instanceWorker.ts runs as a worker thread of an instance pool');
const { model, options, control } = workerData as InstanceData;

function post(message: InstanceMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

/** Warm-up runs at most, and for at most this long (at least one run is made). */
const WARM_UP_RUNS = 200;
const WARM_UP_MS = 250;

/**
 * Runs the model on synthetic inputs before the instance says it is ready: a fresh thread's code is
 * interpreted and its session's memory not yet allocated, so the first few hundred requests of a
 * new version ran ~20% slower than an old one's (a canary of the very model it replaced was judged
 * slower). Errors end the warm-up quietly: a model may need values synthetic inputs do not have.
 */
async function warmUp(session: ModelSession): Promise<void> {
  try {
    const feeds = profileFeeds(session.signature.inputs);
    const until = performance.now() + WARM_UP_MS;
    for (let i = 0; i < WARM_UP_RUNS && (i === 0 || performance.now() < until); i++) forTransfer(await session.run(feeds), true);
  } catch {
    // Serving will tell (with the request's own inputs).
  }
}

// onnxruntime takes no view of shared memory: the thread copies the model for loading and drops the copy after.
loadInThread(new Uint8Array(model), options).then(
  async (session) => {
    await warmUp(session);
    post({ kind: 'ready', signature: session.signature, runtime: session.runtime });
    port.on('message', (request: RunRequest) => {
      session.runTimed(request.feeds, request.outputNames).then(
        ({ outputs, runMs }) => {
          if (control && Atomics.load(control, 0) === STOP_REQUESTED) process.exit(STOPPED_EXIT_CODE);
          const { tensors, transfer } = forTransfer(outputs, true);
          post({ kind: 'done', id: request.id, outputs: tensors, runMs }, transfer);
        },
        (error: unknown) => post({ kind: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) }),
      );
    });
  },
  (error: unknown) => post({ kind: 'loadFailed', message: error instanceof Error ? error.message : String(error) }),
);
