/**
 * A Modelship gateway for `npm run bench:gateway`: a `modelship serve` process over a throwaway
 * filesystem store holding one routing document per endpoint (the serving config, batching
 * included, is the routing document's, as a deployment writes it). gRPC is asked for with
 * `--grpc-port` when this checkout's serve command has that flag.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeRouting, type DesiredRouting } from '../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel } from '../store';
import { freePort } from '../cli/dev/ports';
import { PACKAGE_ROOT, tsEntry } from '../cli/dev/projectPaths';
import { BenchServer } from './benchServer';

export interface GatewayEndpoint {
  name: string;
  model: string;
  serving?: DesiredRouting['versions'][number]['serving'];
}

export interface BenchGateway {
  server: BenchServer;
  port: number;
  /** Undefined when the gateway has no gRPC port. */
  grpcPort: number | undefined;
}

/** Whether `modelship serve` takes `--grpc-port` (read from the command's own flag list). */
export async function gatewayHasGrpcPort(): Promise<boolean> {
  const source = await readFile(path.join(PACKAGE_ROOT, 'cli/commands/serve.ts'), 'utf8');
  return source.includes("'grpc-port'");
}

export async function startBenchGateway(storeDir: string, endpoints: GatewayEndpoint[], withGrpc: boolean): Promise<BenchGateway> {
  const store = new FsArtifactStore(storeDir);
  for (const endpoint of endpoints) {
    const { digest } = await putModel(store, await readFile(endpoint.model), 'onnx');
    await writeRouting(store, endpoint.name, 'bench', [{ version: 'v1', digest, weight: 100, serving: endpoint.serving }]);
  }
  const port = await freePort();
  const grpcPort = withGrpc ? await freePort() : undefined;
  const entry = tsEntry('cli/main.ts');
  const server = await BenchServer.start({
    name: 'gateway',
    command: entry.command,
    args: [...entry.args, 'serve', '--port', String(port), '--store', store.uri, ...(grpcPort ? ['--grpc-port', String(grpcPort)] : [])],
    readyUrls: endpoints.map((e) => `http://127.0.0.1:${port}/v2/models/${e.name}/ready`),
  });
  return { server, port, grpcPort };
}
