/**
 * What an operator reads when a deployment waits for retry (phase `WaitingForRetry`): which stage
 * failed, why, until when it waits, and how to go on — by the CLI or by a Signal from the Temporal
 * UI. One text for `modelship status` and the UI's current details. Pure (workflow-safe).
 */
import type { RetryDecisionRecord, RetryWait } from './schemas/reports';

/** The lines saying what failed and what to do, for the deployment `<endpoint>/<version>` waiting as `waiting` says. */
export function retryInstructions(deployment: { endpoint: string; version: string }, waiting: RetryWait): string[] {
  const { failure } = waiting;
  const target = `${deployment.endpoint}/${deployment.version}`;
  return [
    `waiting for retry since ${waiting.since} (until ${waiting.until}, then it fails): the ${waiting.stage} stage failed: ${failure.type}: ${failure.message}`,
    // Commands and JSON in backticks: the UI renders current details as Markdown, which would turn
    // straight quotes into typographic ones (invalid JSON, a mangled flag) outside code spans.
    `to re-run the ${waiting.stage} stage: \`modelship retry ${target} --reason "..."\`; to end the deployment as failed: \`modelship abort ${target} --reason "..."\``,
    `in the Temporal UI: More actions → Send a Signal, name \`retry\` or \`abort\`, input \`{"by": "you", "reason": "why"}\``,
  ];
}

/** An operator's decision on a waiting stage, in a line. */
export function describeDecision(d: RetryDecisionRecord): string {
  return `${d.action} of the ${d.stage} stage by ${d.by}${d.reason ? `: ${d.reason}` : ''} (${d.at})`;
}
