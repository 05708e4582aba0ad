/**
 * How large a source may be: the ceilings on a model file (`MODELSHIP_MAX_SOURCE_BYTES`) and on a
 * data file (golden inputs, profile samples, evaluation set: `MODELSHIP_MAX_DATA_BYTES`). Workers
 * apply them to what they read, and the client to what it uploads, from the same variables.
 */

export const DEFAULT_MAX_MODEL_BYTES = 4 * 1024 ** 3;
export const DEFAULT_MAX_DATA_BYTES = 512 * 1024 ** 2;

/** The variables that set the ceilings, named in every refusal so the reader knows what to set. */
export const SOURCE_LIMIT_ENV = {
  maxModelBytes: 'MODELSHIP_MAX_SOURCE_BYTES',
  maxDataBytes: 'MODELSHIP_MAX_DATA_BYTES',
} as const;

export interface SourceLimits {
  /** Largest model source, whatever the spec asks. */
  readonly maxModelBytes: number;
  /** Largest data file (golden inputs, profile samples, evaluation set). */
  readonly maxDataBytes: number;
}

/** The ceilings `env` sets, or the defaults. */
export function sourceLimitsFromEnv(env: NodeJS.ProcessEnv): SourceLimits {
  return {
    maxModelBytes: positiveIntegerSetting(env[SOURCE_LIMIT_ENV.maxModelBytes]) ?? DEFAULT_MAX_MODEL_BYTES,
    maxDataBytes: positiveIntegerSetting(env[SOURCE_LIMIT_ENV.maxDataBytes]) ?? DEFAULT_MAX_DATA_BYTES,
  };
}

/** A positive whole number from an environment variable, or undefined when unset or not one. */
export function positiveIntegerSetting(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
