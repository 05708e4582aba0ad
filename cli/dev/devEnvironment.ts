/**
 * The embedded default environment: a Temporal dev server (SQLite under `.modelship/`, UI on its
 * port), a CPU worker process and one gateway process over the filesystem store, capturing a share
 * of the requests it serves (`MODELSHIP_CAPTURE_RATE`, default 0.1 here) for `modelship capture`.
 * Each runs in a process group of its own under a {@link Supervisor}: one that dies is reported and
 * started again; `stop()` stops them all, and nothing they started outlives them. If this process
 * dies without stopping them, an {@link OrphanWatchdog} does. A missing toolchain is installed first
 * (as `npx modelship setup` does), and said so.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ensureToolchain } from '../../activities/python/toolchainSetup';
import { generateAdminToken } from '../../serving/gateway';
import { ManagedProcess } from './childProcess';
import { OrphanWatchdog } from './orphanWatchdog';
import { PortInUseError } from '../../sdk/errors';
import { freePort, isPortOpen } from './ports';
import { PACKAGE_ROOT, tsEntry } from './projectPaths';
import { reportToStderr, Supervisor, type SupervisedService, type SupervisorOptions } from './supervisor';
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
  /** How children that die are reported and restarted (`report` also gets the toolchain installation's progress). */
  supervision?: SupervisorOptions;
  /** Aborted while starting: what has started is stopped, and the start rejects. */
  signal?: AbortSignal;
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
  /** The processes running now (a restarted one replaces the one that died). */
  readonly server: DevServer;
  readonly worker: ManagedProcess;
  readonly gateway: ManagedProcess;
  readonly supervisor: Supervisor;
  /** Resolves with the reason if the environment gave up on a child (everything is stopped then). */
  readonly gaveUp: Promise<Error>;
  stop(): Promise<void>;
}

export async function startDevEnvironment(options: DevEnvironmentOptions = {}): Promise<DevEnvironment> {
  const stateDir = path.resolve(options.stateDir ?? '.modelship');
  const logDir = path.join(stateDir, 'logs');
  const storeUri = options.storeUri ?? path.join(stateDir, 'store');
  const temporalPort = options.temporalPort ?? 7233;
  const gatewayPort = options.gatewayPort ?? 8000;
  const grpcPort = options.grpcPort ?? (await freePort());
  const uiPort = options.uiPort === null ? undefined : (options.uiPort ?? temporalPort + 1000);
  await refuseTakenPorts({ temporalPort, uiPort, gatewayPort, grpcPort });
  await ensureToolchain(options.supervision?.report ?? reportToStderr, options.signal);
  await mkdir(logDir, { recursive: true });
  const adminToken = process.env.MODELSHIP_ADMIN_TOKEN || generateAdminToken();
  const watchdog = OrphanWatchdog.start();
  const onSpawn = (pid: number): (() => void) => watchdog.watch(pid); // forgotten when it exits: a restarted child's group id may be reused
  const services = devServices({ ...options, stateDir, logDir, storeUri, temporalPort, uiPort, gatewayPort, grpcPort, adminToken, onSpawn });

  const supervisor = new Supervisor(options.supervision);
  const stop = async (): Promise<void> => {
    await supervisor.stop();
    watchdog.close();
  };
  void supervisor.gaveUp.then(() => watchdog.close()); // it has stopped everything
  try {
    for (const service of services) {
      supervisor.supervise(service, await service.start());
      options.signal?.throwIfAborted();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const uiUrl = uiPort === undefined ? undefined : `http://127.0.0.1:${uiPort}`;
  return {
    temporalAddress,
    uiUrl,
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    storeUri,
    adminToken,
    logDir,
    server: {
      address: temporalAddress,
      uiUrl,
      get process() {
        return supervisor.current('temporal');
      },
      stop: () => supervisor.current('temporal').stop(),
    },
    get worker() {
      return supervisor.current('worker');
    },
    get gateway() {
      return supervisor.current('gateway');
    },
    supervisor,
    gaveUp: supervisor.gaveUp,
    stop,
  };
}

/** Refuses ports something listens on already, naming the option that chose each. */
async function refuseTakenPorts(ports: Record<'temporalPort' | 'uiPort' | 'gatewayPort' | 'grpcPort', number | undefined>): Promise<void> {
  for (const [option, port] of Object.entries(ports)) {
    if (port !== undefined && (await isPortOpen(port))) throw new PortInUseError(port, option);
  }
}

interface DevSettings extends DevEnvironmentOptions {
  stateDir: string;
  logDir: string;
  storeUri: string;
  temporalPort: number;
  uiPort: number | undefined;
  gatewayPort: number;
  grpcPort: number;
  adminToken: string;
  /** Tells the watchdog of each child as it starts. */
  onSpawn: (pid: number) => () => void;
}

/** The Temporal dev server, the CPU worker and the gateway, in the order they start (each ready before the next). */
function devServices(settings: DevSettings): SupervisedService[] {
  const logTo = (name: string): 'inherit' | string => (settings.verbose ? 'inherit' : path.join(settings.logDir, `${name}.log`));
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${settings.temporalPort}`,
    TEMPORAL_NAMESPACE: 'default',
    MODELSHIP_STORE: settings.storeUri,
    MODELSHIP_ADMIN_TOKEN: settings.adminToken,
    MODELSHIP_CAPTURE_RATE: process.env.MODELSHIP_CAPTURE_RATE ?? String(DEV_CAPTURE_RATE),
  };
  const cli = tsEntry('cli/main.ts');
  const serveArgs = ['serve', '--port', String(settings.gatewayPort), '--grpc-port', String(settings.grpcPort), '--store', settings.storeUri];
  return [
    {
      name: 'temporal',
      start: async () =>
        (
          await startTemporalDevServer({
            port: settings.temporalPort,
            uiPort: settings.uiPort,
            dbFile: settings.persist === false ? undefined : path.join(settings.stateDir, 'temporal.db'),
            logTo: logTo('temporal'),
            processGroup: true,
            onSpawn: settings.onSpawn,
          })
        ).process,
    },
    {
      name: 'worker',
      start: () =>
        ManagedProcess.start({
          name: 'worker',
          ...tsEntry('workers/cpu.ts'),
          env,
          cwd: PACKAGE_ROOT,
          logTo: logTo('worker'),
          readyPattern: /modelship cpu worker ready/,
          readyTimeoutMs: 120_000,
          processGroup: true,
          onSpawn: settings.onSpawn,
        }),
    },
    {
      name: 'gateway',
      start: () =>
        ManagedProcess.start({
          name: 'gateway',
          command: cli.command,
          args: [...cli.args, ...serveArgs],
          env,
          cwd: PACKAGE_ROOT,
          logTo: logTo('gateway'),
          readyPattern: /serving KServe v2 at/,
          readyTimeoutMs: 60_000,
          processGroup: true,
          onSpawn: settings.onSpawn,
        }),
    },
  ];
}
