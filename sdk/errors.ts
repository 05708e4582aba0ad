/**
 * Failure types: the `type` of every `ApplicationFailure` Modelship raises, and the reason codes in
 * deployment results. Workflow-safe (no imports).
 */

/** Why a deployment did not reach production, as a literal union (also the failure `type`). */
export const FAILURE_TYPES = [
  'InvalidSpec',
  'ModelSourceUnreadable',
  'ModelUnloadable',
  'ModelConversionFailed',
  'InvalidGoldenInputs',
  'InvalidDataset',
  'ModelValidationFailed',
  'IoContractBroken',
  'OptimizationFailed',
  'NoGpuExecutionProvider',
  'BenchmarkRegressed',
  'BenchmarkFailed',
  'ReleaseTimedOut',
  'CanaryRegressed',
  'AnalysisInconclusive',
  'RolloutAborted',
  'ApprovalTimedOut',
  'SmokeTestFailed',
  'ReplicaLoadFailed',
  'ArtifactCorrupt',
  'InfrastructureError',
  /** A team's own stage (e.g. a fairness check) refused the model: a non-retryable failure of its activity. */
  'CustomCheckFailed',
] as const;

export type FailureType = (typeof FAILURE_TYPES)[number];

/** Failure types that mean "the model was refused", as opposed to "something broke". */
export const REJECTION_TYPES: ReadonlySet<FailureType> = new Set<FailureType>([
  'ModelSourceUnreadable',
  'ModelUnloadable',
  'ModelConversionFailed',
  'InvalidGoldenInputs',
  'InvalidDataset',
  'ModelValidationFailed',
  'IoContractBroken',
  'OptimizationFailed',
  'NoGpuExecutionProvider',
  'BenchmarkRegressed',
  'BenchmarkFailed',
  'CustomCheckFailed',
]);

export function isFailureType(value: unknown): value is FailureType {
  return typeof value === 'string' && (FAILURE_TYPES as readonly string[]).includes(value);
}

/** A pipeline spec failed validation; `issues` lists each problem with its path. */
export class InvalidSpecError extends Error {
  override readonly name = 'InvalidSpecError';
  constructor(
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(
      `invalid pipeline spec ${source}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
  }
}
