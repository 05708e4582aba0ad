/**
 * How activities fail: bad models become non-retryable `ApplicationFailure`s whose `type` is a
 * {@link FailureType}; anything else is left to retry as an infrastructure error.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { FailureType } from '../sdk/errors';

/** A non-retryable failure: retrying cannot help (bad model, bad input, a refusal). */
export function rejection(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}

/** Whether `error` is a {@link rejection} (or any non-retryable failure): retrying it cannot help. */
export function isRejection(error: unknown): boolean {
  return (error as { nonRetryable?: boolean } | undefined)?.nonRetryable === true;
}
