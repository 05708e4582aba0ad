export {
  InstanceCrashedError,
  ModelLoadError,
  runTimed,
  SHARED_SESSION_SPIN_US,
  type ExecutionProvider,
  type ModelRuntime,
  type ModelSession,
  type SessionOptions,
  type TimedOutputs,
} from './modelRuntime';
export { InstancePool } from './instancePool';
export { OnnxRuntime } from './onnxRuntime';
export { elementCount, isNumericDatatype, NUMERIC_DATATYPES, type Tensor, type TensorData, type TensorMap } from './tensor';
export { seededRandom, profileFeeds, profileInputs, sampleRun, halfFromFloat } from './syntheticInputs';
export {
  DEFAULT_DYNAMIC_SIZE,
  defaultShape,
  planInputs,
  profileProblems,
  shapeCycleLength,
  type Fill,
  type InputPlan,
  type PlanOptions,
  type TensorPlan,
} from './inputProfile';
export { loadForTarget, NoExecutionProviderError, TARGET_PROVIDERS } from './executionProviders';
export { concatRuns, sampleRows } from './tensorRuns';
