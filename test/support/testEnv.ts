/** What the integration tests get from globalSetup, and helpers to start real processes against it. */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { ManagedProcess } from '../../cli/dev/childProcess';
import type { DevServer } from '../../cli/dev/temporalDevServer';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT, tsEntry } from '../../cli/dev/projectPaths';
import type { S3Server } from './s3Server';
import type { DeploymentHandle } from '../../sdk/client';
import type { DeploymentStatus } from '../../sdk/schemas';

export const TEST_ENV = {
  temporalAddress: 'MODELSHIP_TEST_TEMPORAL_ADDRESS',
  /** The dev server's web UI (`http://127.0.0.1:<port>`), for the browser test. */
  temporalUi: 'MODELSHIP_TEST_TEMPORAL_UI',
  s3Endpoint: 'MODELSHIP_TEST_S3_ENDPOINT',
  workDir: 'MODELSHIP_TEST_WORK_DIR',
  modelsDir: 'MODELSHIP_TEST_MODELS_DIR',
  workflowBundle: 'MODELSHIP_TEST_WORKFLOW_BUNDLE',
} as const;

/** The servers one jest worker's integration files share. */
export interface TestStack {
  temporal: DevServer;
  s3: S3Server;
}

/** The variable holding jest worker `worker`'s own address of a stack server (globalSetup writes it, nodeEnvironment.js reads it). */
export function stackEnvName(name: 'temporalAddress' | 's3Endpoint' | 'temporalUi', worker: number): string {
  return `${TEST_ENV[name]}_${worker}`;
}

export type GlobalHandles = typeof globalThis & {
  /** `temporal` and `s3` are the first stack's, kept for readers of the single-stack layout. */
  __modelshipTest?: TestStack & { stacks: TestStack[]; workDir: string };
};

export function testEnv(name: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[name]];
  if (!value) throw new Error(`${TEST_ENV[name]} is not set: run integration tests through jest (globalSetup)`);
  return value;
}

/** A generated example model's path. */
export type ExampleModel =
  | 'classifier'
  | 'classifier_perturbed'
  | 'classifier_swapped'
  | 'classifier_slow'
  | 'classifier_opset13'
  | 'classifier_metadata'
  | 'classifier_retrained'
  | 'classifier_classes_swapped'
  | 'classifier_no_softmax'
  | 'classifier_scores'
  | 'embedding'
  | 'nan'
  | 'sqrt_abs'
  | 'corrupt'
  | 'datatypes'
  | 'datatypes_typed'
  | 'mlp_bench'
  | 'matmul_chain'
  | 'cnn_constant_weights'
  | 'vad';

export function modelPath(name: ExampleModel): string {
  return path.join(testEnv('modelsDir'), `${name}.onnx`);
}

/** A generated framework model or dataset file (`sklearn_classifier.pkl`, `pytorch_cnn.pt2`, `*_eval.npz`). */
export function exampleFile(name: string): string {
  return path.join(testEnv('modelsDir'), name);
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(testEnv('workDir'), `${prefix}-`));
}

export const ADMIN_TOKEN = 'test-admin-token';

/** Environment of a worker or gateway process in this test run. */
export function processEnv(storeUri: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: testEnv('temporalAddress'),
    TEMPORAL_NAMESPACE: 'default',
    MODELSHIP_STORE: storeUri,
    MODELSHIP_ADMIN_TOKEN: ADMIN_TOKEN,
    MODELSHIP_WORKFLOW_BUNDLE: testEnv('workflowBundle'),
    MODELSHIP_ACTIVITY_CONCURRENCY: '2',
    ...extra,
  };
}

/** A CPU worker as users run it: `workers/cpu.ts` in its own process (in the package's folder, or `cwd`). */
export async function startWorkerProcess(storeUri: string, extra: NodeJS.ProcessEnv = {}, options: { cwd?: string } = {}): Promise<ManagedProcess> {
  return ManagedProcess.start({
    name: 'worker',
    ...tsEntry('workers/cpu.ts'),
    env: processEnv(storeUri, extra),
    cwd: options.cwd ?? PACKAGE_ROOT,
    logTo: path.join(testEnv('workDir'), 'worker.log'),
    readyPattern: /modelship cpu worker ready/,
    readyTimeoutMs: 90_000,
  });
}

/** A gateway replica as users run it: `modelship serve` in its own process. */
export async function startGatewayProcess(
  storeUri: string,
  options: { port?: number; replicaId?: string; extraArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<{ process: ManagedProcess; url: string }> {
  const port = options.port ?? (await freePort());
  const entry = tsEntry('cli/main.ts');
  const args = [...entry.args, 'serve', '--port', String(port), '--store', storeUri, '--poll-interval', '250', '--heartbeat-interval', '1000'];
  if (options.replicaId) args.push('--replica-id', options.replicaId);
  const process_ = await ManagedProcess.start({
    name: 'gateway',
    command: entry.command,
    args: [...args, ...(options.extraArgs ?? [])],
    env: processEnv(storeUri, options.env),
    cwd: PACKAGE_ROOT,
    logTo: path.join(testEnv('workDir'), 'gateway.log'),
    readyPattern: /serving KServe v2 at/,
    readyTimeoutMs: 60_000,
  });
  return { process: process_, url: `http://127.0.0.1:${port}` };
}

/**
 * Runs `bin/modelship` as a user would, against this test run's Temporal server and a store (`env`: more variables, such as S3 settings).
 * `timeoutMs` bounds a command that should end (a hang, not a speed check): past it the command is killed and the promise rejects with its output.
 */
export function runCli(
  args: string[],
  options: { storeUri: string; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      path.join(PACKAGE_ROOT, 'bin', 'modelship'),
      args,
      {
        env: { ...processEnv(options.storeUri, options.env), TEMPORAL_ADDRESS: testEnv('temporalAddress') },
        cwd: options.cwd ?? PACKAGE_ROOT,
        timeout: options.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        if (options.timeoutMs && error?.killed) {
          reject(new Error(`modelship ${args.join(' ')} did not end within ${options.timeoutMs} ms (killed)\nstdout: ${stdout}\nstderr: ${stderr}`));
          return;
        }
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Polls a deployment's status until `predicate` holds (60 s at most). */
export async function waitForStatus(deployment: DeploymentHandle, predicate: (status: DeploymentStatus) => boolean): Promise<DeploymentStatus> {
  // A bound on a hang, not a speed check: a loaded machine can take over a minute to reach a rollout.
  for (let i = 0; i < 1200; i++) {
    const status = await deployment.status().catch(() => undefined);
    if (status && predicate(status)) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the deployment did not reach the expected state within 120 s');
}
