/**
 * The embedded default environment: a Temporal dev server (SQLite under `.modelship/`, UI on its
 * port), a CPU worker process and one gateway process over the filesystem store, capturing a share
 * of the requests it serves (`MODELSHIP_CAPTURE_RATE`, default 0.1 here) for `modelship capture`.
 */
import path from 'node:path';
import { generateAdminToken } from '../../serving/gateway';
import { ManagedProcess } from './childProcess';
import { freePort, isPortOpen } from './ports';
import { PACKAGE_ROOT, tsEntry } from './projectPaths';
import { startTemporalDevServer, type DevServer } from './temporalDevServer';

/** Share of requests the local gateway captures into the store (production gateways default to 0). */
export const DEV_CAPTURE_RATE = 0.1;

export interface DevEnvironmentOptions {
  /** Folder for local state (SQLite file, store, logs). Default `.modelship` in the working directory. */
  stateDir?: string;
  temporalPort?: number;
  /** Temporal UI port; `null` for headless. */
  uiPort?: number | null;
  gatewayPort?: number;
  /** The gateway's KServe v2 gRPC port; default a free one (`modelship dev` asks for 8001, as Triton uses). */
  grpcPort?: number;
  storeUri?: string;
  /** Keep workflow history in `<stateDir>/temporal.db` across restarts (default true). */
  persist?: boolean;
  /** Write child output to the terminal instead of `<stateDir>/logs/`. */
  verbose?: boolean;
}

export interface DevEnvironment {
  temporalAddress: string;
  uiUrl: string | undefined;
  gatewayUrl: string;
  /** `host:port` of the gateway's KServe v2 gRPC server. */
  grpcAddress: string;
  storeUri: string;
  adminToken: string;
  logDir: string;
  server: DevServer;
  worker: ManagedProcess;
  gateway: ManagedProcess;
  stop(): Promise<void>;
}

export async function startDevEnvironment(options: DevEnvironmentOptions = {}): Promise<DevEnvironment> {
  const stateDir = path.resolve(options.stateDir ?? '.modelship');
  const logDir = path.join(stateDir, 'logs');
  const storeUri = options.storeUri ?? path.join(stateDir, 'store');
  const temporalPort = options.temporalPort ?? 7233;
  const gatewayPort = options.gatewayPort ?? 8000;
  const uiPort = options.uiPort === null ? undefined : (options.uiPort ?? temporalPort + 1000);
  const logTo = (name: string): 'inherit' | string => (options.verbose ? 'inherit' : path.join(logDir, `${name}.log`));
  const grpcPort = options.grpcPort ?? (await freePort());
  for (const [port, flag] of [
    [gatewayPort, '--gateway-port'],
    [grpcPort, '--grpc-port'],
  ] as const) {
    if (await isPortOpen(port)) throw new Error(`gateway port ${port} is already in use: stop what listens there or pass ${flag}`);
  }
  const { mkdir } = await import('node:fs/promises');
  await mkdir(logDir, { recursive: true });

  const adminToken = process.env.MODELSHIP_ADMIN_TOKEN || generateAdminToken();
  const server = await startTemporalDevServer({
    port: temporalPort,
    uiPort,
    dbFile: options.persist === false ? undefined : path.join(stateDir, 'temporal.db'),
    logTo: logTo('temporal'),
  });
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    MODELSHIP_STORE: storeUri,
    MODELSHIP_ADMIN_TOKEN: adminToken,
    MODELSHIP_CAPTURE_RATE: process.env.MODELSHIP_CAPTURE_RATE ?? String(DEV_CAPTURE_RATE),
  };
  const started: ManagedProcess[] = [];
  try {
    const workerEntry = tsEntry('workers/cpu.ts');
    const worker = await ManagedProcess.start({
      name: 'worker',
      ...workerEntry,
      env,
      cwd: PACKAGE_ROOT,
      logTo: logTo('worker'),
      readyPattern: /modelship cpu worker ready/,
      readyTimeoutMs: 120_000,
    });
    started.push(worker);
    const gatewayEntry = tsEntry('cli/main.ts');
    const gateway = await ManagedProcess.start({
      name: 'gateway',
      command: gatewayEntry.command,
      args: [...gatewayEntry.args, 'serve', '--port', String(gatewayPort), '--grpc-port', String(grpcPort), '--store', storeUri],
      env,
      cwd: PACKAGE_ROOT,
      logTo: logTo('gateway'),
      readyPattern: /serving KServe v2 at/,
      readyTimeoutMs: 60_000,
    });
    started.push(gateway);
    return {
      temporalAddress: server.address,
      uiUrl: server.uiUrl,
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      storeUri,
      adminToken,
      logDir,
      server,
      worker,
      gateway,
      async stop() {
        await Promise.all([gateway.stop(), worker.stop()]);
        await server.stop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((p) => p.stop()));
    await server.stop();
    throw error;
  }
}
