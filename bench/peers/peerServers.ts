/**
 * The peers of `npm run bench:gateway`, serving the same ONNX model with the same onnxruntime
 * release, from the venvs scripts/setupBench.sh installs under .tools/:
 *   MLServer 1.7.1   a custom runtime (peers/mlserver_ort.py), default settings (one parallel
 *                    inference worker); model `mlp` without batching, `mlp-batched` with adaptive
 *                    batching (max_batch_size 32, max_batch_time 2 ms)
 *   Triton           PyTriton 0.7.0's tritonserver, a Python inference function behind the dynamic
 *                    batcher (max batch 32, 2 ms), model `mlp`, on HTTP and gRPC
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { BenchServer } from '../benchServer';

const TOOLS = path.join(PACKAGE_ROOT, '.tools');
const PEERS = path.join(PACKAGE_ROOT, 'bench/peers');

export interface PeerServer {
  server: BenchServer;
  httpPort: number;
  grpcPort: number;
}

async function mlserverModel(dir: string, name: string, model: string, batching: boolean): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  const settings = {
    name,
    implementation: 'mlserver_ort.OrtModel',
    parameters: { uri: model },
    ...(batching ? { max_batch_size: 32, max_batch_time: 0.002 } : {}),
  };
  await writeFile(path.join(dir, name, 'model-settings.json'), JSON.stringify(settings, null, 2));
}

export async function startMlserver(workDir: string, model: string): Promise<PeerServer> {
  const dir = path.join(workDir, 'mlserver');
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ host: '127.0.0.1', http_port: httpPort, grpc_port: grpcPort, metrics_port: metricsPort }));
  await mlserverModel(dir, 'mlp', model, false);
  await mlserverModel(dir, 'mlp-batched', model, true);
  const server = await BenchServer.start({
    name: 'mlserver',
    command: path.join(TOOLS, 'mlserver/bin/mlserver'),
    args: ['start', dir],
    env: { ...process.env, PYTHONPATH: PEERS },
    readyUrls: ['mlp', 'mlp-batched'].map((m) => `http://127.0.0.1:${httpPort}/v2/models/${m}/ready`),
  });
  return { server, httpPort, grpcPort };
}

export async function startPytriton(workDir: string, model: string): Promise<PeerServer> {
  const [httpPort, grpcPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const python312 = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'versions/3.12.1');
  const server = await BenchServer.start({
    name: 'pytriton',
    command: path.join(TOOLS, 'pytriton/bin/python'),
    args: [path.join(PEERS, 'pytriton_server.py'), model, path.join(workDir, 'pytriton'), String(httpPort), String(grpcPort), String(metricsPort)],
    // The Python backend stub links against libpython3.12 from the interpreter that made the venv.
    env: { ...process.env, LD_LIBRARY_PATH: [path.join(python312, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
    readyUrls: [`http://127.0.0.1:${httpPort}/v2/models/mlp/ready`],
    graceMs: 20_000,
  });
  return { server, httpPort, grpcPort };
}
