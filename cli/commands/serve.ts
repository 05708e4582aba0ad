/** `modelship serve`: run one gateway replica (KServe v2) over the artifact store. */
import { z } from 'zod';
import { TARGETS, type Target } from '../../sdk/constants';
import { OnnxRuntime } from '../../runtime';
import { openStore } from '../../store';
import { startGateway } from '../../serving/gateway';
import { parseByteSize } from '../../serving/memoryBudget';
import { parseLabels } from '../../serving/placement';
import { defineCommand } from '../command';
import { untilSignal } from '../signals';
import { stringFlags, storeOption } from '../options';

const usage = `modelship serve [--port 8000] [--grpc-port N] [--host 127.0.0.1] [--store URI] [--replica-id ID] [--advertise-url URL]
                [--poll-interval ms] [--heartbeat-interval ms] [--full-reconcile-interval ms] [--max-body-bytes N] [--intra-op-threads N]
                [--target cpu|gpu] [--labels pool=NAME,key=value] [--memory-budget 4GiB]
                [--capture-rate 0-1] [--capture-max-rows N] [--capture-retention N] [--capture-flush-interval ms]
                [--allow-fault-injection]
  --grpc-port: serve KServe v2 gRPC on this port too (0: a free one; default: no gRPC)
  --poll-interval: how often the store's routing change log is read (default 5000; an admin nudge reads it at once)
  --heartbeat-interval: the liveness beat (default 30000; 3 missed beats make the replica stale; changes are reported at once)
  --full-reconcile-interval: how often every routing document is read, as a safety net (default 300000)
  --target: the hardware this replica serves on (default cpu). A gpu replica loads each version's gpu pick (else its cpu pick)
            with TensorRT+CUDA, else CUDA alone, never on the CPU; on a machine without a usable GPU it refuses to start and says why
  --labels: what endpoints' serving.pool selects on (a bare name means pool=NAME); this replica loads only what is placed on it
  --memory-budget: memory its models may take (default half the host's); a model beyond it is refused, and its release fails
  --allow-fault-injection: enable POST /admin/faults (injected errors and latency per endpoint and version), for demos and tests only
  environment: MODELSHIP_ADMIN_TOKEN (admin routes), MODELSHIP_INFERENCE_TOKEN (inference routes, optional),
               MODELSHIP_STORE, MODELSHIP_TARGET, MODELSHIP_INTRA_OP_THREADS, MODELSHIP_LABELS, MODELSHIP_MEMORY_BUDGET,
               MODELSHIP_CAPTURE_RATE (share of requests captured into the store; default 0, off),
               MODELSHIP_CAPTURE_MAX_ROWS (rows per bundle, 256), MODELSHIP_CAPTURE_RETENTION (bundles kept per version, 100),
               MODELSHIP_ALLOW_FAULT_INJECTION=1 (as --allow-fault-injection)`;

const portNumber = z.coerce.number().int().min(0).max(65535);

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'run an inference gateway replica',
  usage,
  flags: {
    ...stringFlags(
      'port',
      'grpc-port',
      'host',
      'store',
      'replica-id',
      'advertise-url',
      'poll-interval',
      'heartbeat-interval',
      'full-reconcile-interval',
      'max-body-bytes',
      'intra-op-threads',
      'capture-rate',
      'capture-max-rows',
      'capture-retention',
      'capture-flush-interval',
      'labels',
      'memory-budget',
      'target',
    ),
    'allow-fault-injection': { type: 'boolean' },
  },
  options: z.object({
    port: portNumber.default(8000),
    'grpc-port': portNumber.optional(),
    host: z.string().default('127.0.0.1'),
    store: storeOption(),
    'replica-id': z.string().optional(),
    'advertise-url': z.string().url().optional(),
    'poll-interval': z.coerce.number().int().positive().default(5000),
    'heartbeat-interval': z.coerce.number().int().positive().default(30_000),
    'full-reconcile-interval': z.coerce.number().int().positive().default(300_000),
    'max-body-bytes': z.coerce
      .number()
      .int()
      .positive()
      .default(32 * 1024 * 1024),
    'intra-op-threads': z.coerce
      .number()
      .int()
      .min(0)
      .default(Number(process.env.MODELSHIP_INTRA_OP_THREADS ?? 0) || 0),
    'capture-rate': z.coerce
      .number()
      .min(0)
      .max(1)
      .default(Number(process.env.MODELSHIP_CAPTURE_RATE ?? 0) || 0),
    'capture-max-rows': z.coerce
      .number()
      .int()
      .positive()
      .default(Number(process.env.MODELSHIP_CAPTURE_MAX_ROWS ?? 256) || 256),
    'capture-retention': z.coerce
      .number()
      .int()
      .positive()
      .default(Number(process.env.MODELSHIP_CAPTURE_RETENTION ?? 100) || 100),
    'capture-flush-interval': z.coerce.number().int().positive().default(5000),
    target: z.enum(TARGETS).default((process.env.MODELSHIP_TARGET || 'cpu') as Target),
    labels: z
      .string()
      .default(process.env.MODELSHIP_LABELS ?? '')
      .transform((text, ctx) => parsedOrIssue(() => parseLabels(text), ctx)),
    'memory-budget': z
      .string()
      .optional()
      .transform((text, ctx) => {
        const given = text ?? (process.env.MODELSHIP_MEMORY_BUDGET || undefined);
        return given === undefined ? undefined : parsedOrIssue(() => parseByteSize(given), ctx);
      }),
    'allow-fault-injection': z.boolean().default(process.env.MODELSHIP_ALLOW_FAULT_INJECTION === '1'),
  }),
  async run(options) {
    const gateway = await startGateway({
      store: openStore(options.store),
      runtime: new OnnxRuntime(),
      port: options.port,
      grpcPort: options['grpc-port'],
      host: options.host,
      adminToken: process.env.MODELSHIP_ADMIN_TOKEN || undefined,
      replicaId: options['replica-id'],
      advertiseUrl: options['advertise-url'],
      pollIntervalMs: options['poll-interval'],
      heartbeatIntervalMs: options['heartbeat-interval'],
      fullReconcileIntervalMs: options['full-reconcile-interval'],
      intraOpThreads: options['intra-op-threads'],
      target: options.target,
      labels: Object.keys(options.labels).length > 0 ? options.labels : undefined,
      memoryBudgetBytes: options['memory-budget'],
      maxBodyBytes: options['max-body-bytes'],
      inferenceToken: process.env.MODELSHIP_INFERENCE_TOKEN || undefined,
      capture: {
        rate: options['capture-rate'],
        maxRows: options['capture-max-rows'],
        retention: options['capture-retention'],
        flushIntervalMs: options['capture-flush-interval'],
      },
      allowFaultInjection: options['allow-fault-injection'],
    });
    await untilSignal();
    await gateway.close();
    return 0;
  },
});

/** `parse()`'s value, or its error as a zod issue (so the CLI prints it with the option's name). */
function parsedOrIssue<T>(parse: () => T, ctx: z.RefinementCtx): T {
  try {
    return parse();
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
}
