/**
 * onnxruntime-node behind the {@link ModelRuntime} port. The only module that imports the native
 * runtime; everything else speaks KServe datatypes and {@link Tensor}s. `OnnxRuntime.load` starts
 * the model's instances (worker threads, `instancePool.ts`), each of which loads its session here
 * with {@link loadInThread}.
 */
import * as ort from 'onnxruntime-node';
import type { Datatype, IoSignature, TensorSpec } from '../sdk/schemas';
import { providersLabel } from './executionProviders';
import { InstancePool } from './instancePool';
import { ModelLoadError, type ExecutionProvider, type ModelRuntime, type ModelSession, type SessionOptions, type TimedOutputs } from './modelRuntime';
import type { Tensor, TensorData, TensorMap } from './tensor';

/** KServe datatype ↔ onnxruntime element type: one frozen table, both directions. */
const ORT_TYPES: Readonly<Record<Datatype, ort.Tensor.Type>> = Object.freeze({
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP16: 'float16',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
});

const DATATYPES_BY_ORT_TYPE: ReadonlyMap<string, Datatype> = new Map(Object.entries(ORT_TYPES).map(([datatype, ortType]) => [ortType, datatype as Datatype]));

/** Modelship provider names → onnxruntime-node backend names. */
const ORT_PROVIDERS: Readonly<Record<ExecutionProvider, string>> = Object.freeze({
  cpu: 'cpu',
  cuda: 'cuda',
  tensorrt: 'tensorrt',
});

export class OnnxSession implements ModelSession {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly signature: IoSignature,
    readonly runtime: ModelSession['runtime'],
  ) {}

  async run(feeds: TensorMap, outputNames?: readonly string[]): Promise<TensorMap> {
    return (await this.runTimed(feeds, outputNames)).outputs;
  }

  async runTimed(feeds: TensorMap, outputNames?: readonly string[]): Promise<TimedOutputs> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) {
      ortFeeds[name] = new ort.Tensor(ORT_TYPES[tensor.datatype], tensor.data as never, tensor.shape);
    }
    const start = performance.now();
    const results = outputNames ? await this.session.run(ortFeeds, outputNames as string[]) : await this.session.run(ortFeeds);
    const runMs = performance.now() - start;
    const outputs: TensorMap = {};
    for (const [name, value] of Object.entries(results)) {
      outputs[name] = fromOrtTensor(name, value);
    }
    return { outputs, runMs };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function fromOrtTensor(name: string, value: ort.OnnxValue): Tensor {
  const datatype = DATATYPES_BY_ORT_TYPE.get(value.type);
  if (!datatype) throw new ModelLoadError(`output ${name} has unsupported element type ${value.type}`);
  return { datatype, shape: [...value.dims], data: value.data as TensorData };
}

function toTensorSpec(meta: ort.InferenceSession.ValueMetadata, role: 'input' | 'output'): TensorSpec {
  if (!meta.isTensor) {
    throw new ModelLoadError(`${role} ${meta.name} is not a tensor (a sequence or map); serve models whose inputs and outputs are tensors`);
  }
  const datatype = DATATYPES_BY_ORT_TYPE.get(meta.type);
  if (!datatype) throw new ModelLoadError(`${role} ${meta.name} has unsupported element type ${meta.type}`);
  return { name: meta.name, datatype, shape: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
}

const ORT_VERSION: string = ort.env.versions.node ?? ort.env.versions.common;

export class OnnxRuntime implements ModelRuntime {
  readonly version: string = ORT_VERSION;

  /** Starts `options.instances` (default 1) worker threads with a session each; `0` loads on this thread. */
  async load(model: Uint8Array, options: SessionOptions = {}): Promise<ModelSession> {
    const instances = options.instances ?? 1;
    return instances === 0 ? loadInThread(model, options) : InstancePool.start(model, options, instances);
  }
}

/** A session on the calling thread: its `run()` blocks this thread's event loop while the model computes. */
export async function loadInThread(model: Uint8Array, options: SessionOptions = {}): Promise<OnnxSession> {
  const providers = options.executionProviders ?? ['cpu'];
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, {
      executionProviders: providers.map((p) => ORT_PROVIDERS[p]),
      intraOpNumThreads: options.intraOpThreads ?? 0,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: spinSettings(options.spinMicroseconds) } },
    });
  } catch (error) {
    throw new ModelLoadError(`onnxruntime ${ORT_VERSION} cannot load the model: ${errorMessage(error)}`);
  }
  try {
    const signature: IoSignature = {
      inputs: session.inputMetadata.map((m) => toTensorSpec(m, 'input')),
      outputs: session.outputMetadata.map((m) => toTensorSpec(m, 'output')),
    };
    return new OnnxSession(session, signature, {
      ortVersion: ORT_VERSION,
      // The providers registered, in order (onnxruntime-node does not say which node runs on which): `tensorrt+cuda`, `cuda`, `cpu`.
      executionProvider: providers.length > 0 ? providersLabel(providers) : 'cpu',
      intraOpThreads: options.intraOpThreads ?? 0,
    });
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** onnxruntime's intra-op spin settings for {@link SessionOptions.spinMicroseconds}. */
function spinSettings(microseconds: number | undefined): Record<string, string> {
  if (microseconds === undefined) return { allow_spinning: '1' };
  if (microseconds <= 0) return { allow_spinning: '0' };
  return { allow_spinning: '1', spin_duration_us: String(Math.round(microseconds)) };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
