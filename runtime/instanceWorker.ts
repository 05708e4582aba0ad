/**
 * One model instance: the body of a worker thread started by `instancePool.ts`. It loads its own
 * onnxruntime session from the model's bytes, says it is ready (with the IO signature), then runs
 * each request it is posted, timing `session.run` itself, and posts the outputs back transferred
 * (or exits instead, when the pool asked it to stop meanwhile).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { forTransfer, STOP_REQUESTED, STOPPED_EXIT_CODE, type InstanceData, type InstanceMessage, type RunRequest } from './instanceMessages';
import { loadInThread } from './onnxRuntime';

const port = parentPort;
if (!port) throw new Error('instanceWorker.ts runs as a worker thread of an instance pool');
const { model, options, control } = workerData as InstanceData;

function post(message: InstanceMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

// onnxruntime takes no view of shared memory: the thread copies the model for loading and drops the copy after.
loadInThread(new Uint8Array(model), options).then(
  (session) => {
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
