import { ACTIVITY_TASK_QUEUES, isOutcome, isStageName, OUTCOMES, PHASES, STAGE_NAMES, STAGE_PHASES, TARGETS, WORKFLOW_TASK_QUEUE } from '../../sdk/constants';
import { ACTIVITY_TASK_QUEUES as namesQueues, WORKFLOW_TASK_QUEUE as namesWorkflowQueue } from '../../sdk/names';
import { deploymentResult, deploymentStatus, pipelineSpec } from '../../sdk/schemas';
import { shortDigest } from '../../sdk/shortDigest';

test('every built-in stage reports a phase, in stage order', () => {
  expect(Object.keys(STAGE_PHASES)).toEqual([...STAGE_NAMES]);
  for (const phase of Object.values(STAGE_PHASES)) expect(PHASES).toContain(phase);
});

test('the schemas accept exactly the listed vocabularies', () => {
  expect(deploymentResult.shape.outcome.options).toEqual([...OUTCOMES]);
  expect(deploymentStatus.shape.phase.options).toEqual([...PHASES]);
  const spec = { endpoint: 'ep', version: 'v1', model: { source: 'm.onnx' } };
  expect(pipelineSpec.safeParse({ ...spec, targets: [...TARGETS] }).success).toBe(true);
  expect(pipelineSpec.safeParse({ ...spec, targets: ['tpu'] }).success).toBe(false);
});

test('membership checks', () => {
  expect(STAGE_NAMES.every(isStageName)).toBe(true);
  expect(isStageName('fairness')).toBe(false);
  expect(OUTCOMES.every(isOutcome)).toBe(true);
  expect(isOutcome('rolled-back')).toBe(false);
  expect(isOutcome(undefined)).toBe(false);
});

test('one task queue per target; names.ts re-exports the same values', () => {
  expect(Object.keys(ACTIVITY_TASK_QUEUES)).toEqual([...TARGETS]);
  expect(namesQueues).toBe(ACTIVITY_TASK_QUEUES);
  expect(namesWorkflowQueue).toBe(WORKFLOW_TASK_QUEUE);
});

test('shortDigest shows the first 12 hex digits', () => {
  const digest = 'ab'.repeat(32);
  expect(shortDigest(digest)).toBe('abababababab');
  expect(shortDigest(`sha256:${digest}`)).toBe('abababababab');
});
