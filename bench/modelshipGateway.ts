/**
 * A Modelship gateway for `npm run bench:gateway`: a `modelship serve` process over a throwaway
 * filesystem store holding one routing document per endpoint (the serving config, batching
 * included, is the routing document's, as a deployment writes it), REST and gRPC (`--grpc-port`).
 */
import { readFile } from 'node:fs/promises';
import { writeRouting, type DesiredRouting } from '../activities/rollout/releaseVersion';
import { FsArtifactStore, putModel } from '../store';
import { freePort } from '../cli/dev/ports';
import { tsEntry } from '../cli/dev/projectPaths';
import { BenchServer } from './benchServer';

export interface GatewayEndpoint {
  name: string;
  model: string;
  serving?: DesiredRouting['versions'][number]['serving'];
}

export interface BenchGateway {
  server: BenchServer;
  port: number;
  grpcPort: number;
}

export async function startBenchGateway(storeDir: string, endpoints: GatewayEndpoint[]): Promise<BenchGateway> {
  const store = new FsArtifactStore(storeDir);
  for (const endpoint of endpoints) {
    const { digest } = await putModel(store, await readFile(endpoint.model), 'onnx');
    await writeRouting(store, endpoint.name, 'bench', [{ version: 'v1', digest, weight: 100, serving: endpoint.serving }]);
  }
  const port = await freePort();
  const grpcPort = await freePort();
  const entry = tsEntry('cli/main.ts');
  const server = await BenchServer.start({
    name: 'gateway',
    command: entry.command,
    args: [...entry.args, 'serve', '--port', String(port), '--store', store.uri, '--grpc-port', String(grpcPort)],
    readyUrls: endpoints.map((e) => `http://127.0.0.1:${port}/v2/models/${e.name}/ready`),
  });
  return { server, port, grpcPort };
}
