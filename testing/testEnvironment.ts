/**
 * `ModelshipTestEnvironment`: the local environment for a test file, in the style of Temporal's
 * `TestWorkflowEnvironment` — a Temporal dev server, a CPU worker and a gateway on free ports, over a
 * store in a temporary folder, with a connected {@link ModelshipClient}. `teardown()` stops them
 * and removes the folder; if the test process dies first (even by SIGKILL), a watchdog stops them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDevEnvironment, type DevEnvironment } from '../cli/dev/devEnvironment';
import { freePorts } from '../cli/dev/ports';
import type { SupervisorOptions } from '../cli/dev/supervisor';
import { ModelshipClient } from '../sdk/client';

export interface TestEnvironmentOptions {
  /** Folder for the environment's state (store, logs); default a new temporary folder, removed by `teardown()`. */
  stateDir?: string;
  /** Temporal frontend port; default a free one. */
  temporalPort?: number;
  /** Gateway HTTP port; default a free one. */
  gatewayPort?: number;
  /** Gateway gRPC port; default a free one. */
  grpcPort?: number;
  /** Temporal UI port, to watch a test's workflows in a browser; default none (headless). */
  uiPort?: number;
  /** The environment's children write their output to the terminal, not to `<stateDir>/logs/`. */
  verbose?: boolean;
  /** How children that die are reported (default: stderr, prefixed `[dev]`) and restarted. */
  supervision?: SupervisorOptions;
}

/**
 * @example
 * import path from 'node:path';
 * import { loadPipelineSpec } from 'modelship/client';
 * import { ModelshipTestEnvironment } from 'modelship/testing';
 *
 * let env: ModelshipTestEnvironment;
 * beforeAll(async () => {
 *   env = await ModelshipTestEnvironment.create();
 * }, 180_000);
 * afterAll(() => env?.teardown());
 *
 * test('the model is promoted', async () => {
 *   const deployment = await env.client.deploy(await loadPipelineSpec(path.join(__dirname, 'pipeline.ts')));
 *   expect((await deployment.result()).outcome).toBe('promoted');
 * });
 */
export class ModelshipTestEnvironment {
  private tornDown = false;

  private constructor(
    /** The environment's processes, addresses and store (what `startDevEnvironment` returns). */
    readonly environment: DevEnvironment,
    /** A client connected to the environment's Temporal server. */
    readonly client: ModelshipClient,
    /** The state folder, and whether `teardown()` removes it (it does when the environment made it). */
    readonly stateDir: string,
    private readonly ownsStateDir: boolean,
  ) {}

  /** Starts the environment (installing the toolchain first if it is missing) and connects a client. */
  static async create(options: TestEnvironmentOptions = {}): Promise<ModelshipTestEnvironment> {
    const ownsStateDir = options.stateDir === undefined;
    const stateDir = options.stateDir ?? (await mkdtemp(path.join(os.tmpdir(), 'modelship-test-')));
    let environment: DevEnvironment | undefined;
    const free = await freePorts(3); // distinct: picked one at a time, two could be the same
    try {
      environment = await startDevEnvironment({
        stateDir,
        temporalPort: options.temporalPort ?? free[0],
        gatewayPort: options.gatewayPort ?? free[1],
        grpcPort: options.grpcPort ?? free[2],
        uiPort: options.uiPort ?? null,
        persist: false,
        verbose: options.verbose,
        supervision: options.supervision,
      });
      // Only the environment's address: not the caller's TEMPORAL_* settings (a cloud namespace, an API key).
      const client = await ModelshipClient.connect({ address: environment.temporalAddress, namespace: 'default', env: {}, store: environment.storeUri });
      return new ModelshipTestEnvironment(environment, client, stateDir, ownsStateDir);
    } catch (error) {
      await environment?.stop();
      if (ownsStateDir) await rm(stateDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** `host:port` of the Temporal frontend (for a `Worker` of your own: `NativeConnection.connect({ address })`). */
  get temporalAddress(): string {
    return this.environment.temporalAddress;
  }

  /** The gateway's base URL: KServe v2 under `${gatewayUrl}/v2`. */
  get gatewayUrl(): string {
    return this.environment.gatewayUrl;
  }

  /** `host:port` of the gateway's KServe v2 gRPC server. */
  get grpcAddress(): string {
    return this.environment.grpcAddress;
  }

  /** The artifact store the worker and the gateway share. */
  get storeUri(): string {
    return this.environment.storeUri;
  }

  /** The gateway's admin token (`Authorization: Bearer …` on `/admin/*`). */
  get adminToken(): string {
    return this.environment.adminToken;
  }

  /** Closes the client, stops every process and removes the state folder it made. Safe to call twice. */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    try {
      await this.client.close();
    } finally {
      await this.environment.stop();
      if (this.ownsStateDir) await rm(this.stateDir, { recursive: true, force: true });
    }
  }
}
