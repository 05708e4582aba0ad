export { ModelLoadError, type ExecutionProvider, type ModelRuntime, type ModelSession, type SessionOptions } from './modelRuntime';
export { OnnxRuntime } from './onnxRuntime';
export { elementCount, isNumericDatatype, NUMERIC_DATATYPES, type Tensor, type TensorData, type TensorMap } from './tensor';
export { concreteShape, seededRandom, syntheticInputs, halfFromFloat } from './syntheticInputs';
export { loadForTarget, NoExecutionProviderError, TARGET_PROVIDERS } from './executionProviders';
