/** The CLI's one error printer: a line saying what happened, one saying what to do, the stack only with --verbose. */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure, RetryState, TerminatedFailure } from '@temporalio/common';
import { CliError } from '../../cli/cliError';
import { TEMPORAL_UNREACHABLE_HINT } from '../../cli/connection';
import { describeCliError, formatCliError } from '../../cli/errorReport';
import { EXIT_CODES } from '../../cli/exitCodes';
import { DeploymentAlreadyRunningError, EndpointNotFoundError, TemporalConnectionError } from '../../sdk/errors';

const STACK_LINE = /^\s+at /m;

test('a terminated workflow is one line and what to do, not WorkflowFailedError and its stack', () => {
  const error = new WorkflowFailedError('Workflow execution terminated', new TerminatedFailure('operator cleanup'), RetryState.NON_RETRYABLE_FAILURE);
  const { text, exitCode } = formatCliError(error, false);
  expect(exitCode).toBe(EXIT_CODES.error);
  expect(text.split('\n')[0]).toBe('error: the workflow was terminated (operator cleanup) before it returned a result');
  expect(text).toContain('modelship status');
  expect(text).not.toMatch(STACK_LINE);
  expect(text).not.toContain('WorkflowFailedError');
  const verbose = formatCliError(error, true).text;
  expect(verbose).toMatch(STACK_LINE);
  expect(verbose).toContain('caused by:');
});

test('an unexpected error shows its first line and how to see the trace', () => {
  const { text } = formatCliError(new TypeError('boom\nsecond line'), false);
  expect(text).toBe('error: boom\n\nrun again with --verbose for the stack trace');
});

test('a refused connection names the address; known errors keep their exit code and hint', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 });
  expect(formatCliError(new TypeError('fetch failed', { cause: refused }), false).text.split('\n')[0]).toBe(
    'error: connection refused by 127.0.0.1:9 (fetch failed)',
  );
  expect(formatCliError(new CliError('rolled back', EXIT_CODES.rolledBack), false)).toEqual({ text: 'error: rolled back', exitCode: 2 });
  expect(formatCliError(new EndpointNotFoundError('demo'), false).text).toMatch(/^error: endpoint demo has no endpoint workflow.*\n\ndeploy to it with/);
});

test('library errors speak API terms; the CLI adds its commands and flags', () => {
  expect(new TemporalConnectionError('10.0.0.1:7233', 'refused').message).not.toContain('--address');
  expect(TEMPORAL_UNREACHABLE_HINT).toContain('`--address`');
  const running = new DeploymentAlreadyRunningError('deploy/demo/v2');
  expect(running.message).not.toContain('modelship status');
  expect(describeCliError(running).hint).toBe('follow it with `modelship status deploy/demo/v2`');
  const cancelled = new WorkflowFailedError('Workflow execution cancelled', new CancelledFailure('cancelled'), RetryState.CANCEL_REQUESTED);
  expect(describeCliError(cancelled).message).toBe('the workflow was cancelled before it returned a result');
});
