/**
 * A real MLflow tracking server for tests (PyPI `mlflow`, the repository's `.venv`): `mlflow server`
 * on loopback with a SQLite backend and the artifact proxy (`--artifacts-destination`, served at
 * `mlflow-artifacts:` URIs), and models registered in it by `registerMlflowModel.py` as a team's
 * training job would.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { ManagedProcess } from '../../cli/dev/childProcess';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';
import { tempDir, testEnv } from './testEnv';

export interface MlflowServer {
  /** The tracking URI (`MLFLOW_TRACKING_URI`). */
  uri: string;
  stop(): Promise<void>;
}

/** Starts the server on `port` (default: a free one); its URI is `http://127.0.0.1:<port>`, known before it is ready (see {@link mlflowUri}). */
export async function startMlflowServer(port?: number): Promise<MlflowServer> {
  const dir = await tempDir('mlflow');
  port ??= await freePort();
  const args = ['server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1'];
  args.push('--backend-store-uri', `sqlite:///${path.join(dir, 'mlflow.db')}`, '--artifacts-destination', path.join(dir, 'artifacts'));
  const server = await ManagedProcess.start({
    name: 'mlflow',
    command: venvTool('mlflow'),
    args,
    cwd: dir,
    // No job runner (MLflow's GenAI jobs: seven worker processes the tests never use).
    env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
    processGroup: true,
    logTo: path.join(testEnv('workDir'), 'mlflow.log'),
    readyPattern: /Application startup complete|Uvicorn running on/,
    readyTimeoutMs: 120_000,
  });
  const uri = mlflowUri(port);
  for (
    let attempt = 0;
    !(await fetch(`${uri}/health`)
      .then((r) => r.ok)
      .catch(() => false));
    attempt++
  ) {
    if (attempt > 300) throw new Error(`the MLflow server did not answer /health:\n${server.recentOutput()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { uri, stop: () => server.stop(5000) };
}

/** The tracking URI of a server on `port`. */
export function mlflowUri(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Registers a scikit-learn classifier as `name` (a new version each call) and points `alias` at it: its run id and version. */
export function registerSklearnModel(trackingUri: string, name: string, alias: string): Promise<{ runId: string; version: string }> {
  const script = path.join(PACKAGE_ROOT, 'test', 'support', 'registerMlflowModel.py');
  return new Promise((resolve, reject) => {
    execFile(venvTool('python'), [script, trackingUri, name, alias], { cwd: PACKAGE_ROOT, timeout: 180_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`registering ${name} failed: ${error.message}\n${stderr.slice(-2000)}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as { runId: string; version: string });
    });
  });
}
