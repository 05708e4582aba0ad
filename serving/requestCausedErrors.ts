/**
 * Which failures of a model run the request caused: a 400 for the caller, not the version's error.
 * Requests are checked against the model's declared inputs before they run (names, datatypes,
 * ranks, fixed dimensions, element counts: `protocol/kserveProtocol.ts`); what still fails in
 * onnxruntime falls in two kinds. onnxruntime's own checks of the feeds (dimensions, rank, type,
 * names) are always the request's. Errors a kernel raises on what the inputs hold (an index past a
 * table, dynamic dimensions that do not broadcast or reshape) are the request's only once the
 * version has answered a request on this replica: a version that fails on every input is broken,
 * and its failures must count against it.
 */

/** onnxruntime's checks of the feeds before any kernel runs. */
const FEED_CHECKS: readonly RegExp[] = [
  /Got invalid dimensions for input/,
  /Invalid rank for input/,
  /Unexpected input data type/,
  /Missing Input:/,
  /Invalid Feed Input Name/i,
];

/** Kernel errors that follow from the values or dynamic dimensions fed. */
const INPUT_DEPENDENT: readonly RegExp[] = [
  /indices element out of data bounds/,
  /Attempting to broadcast an axis by a dimension other than 1/,
  /cannot be reshaped to the requested shape/,
  /Incompatible dimensions/,
  /[Ss]hape mismatch/,
  /[Dd]imension mismatch/,
];

/** True when a run that failed with `message` failed because of the request (`versionHasAnswered`: the version answered before). */
export function causedByRequest(message: string, versionHasAnswered: boolean): boolean {
  if (FEED_CHECKS.some((pattern) => pattern.test(message))) return true;
  return versionHasAnswered && INPUT_DEPENDENT.some((pattern) => pattern.test(message));
}
