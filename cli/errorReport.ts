/**
 * How the CLI tells people what went wrong: one line saying what happened, one saying what to do,
 * and the exit code (ARCHITECTURE.md). The stack trace only with `--verbose`. `main.ts` prints it;
 * nothing else in `cli/` formats an error.
 */
import { types } from 'node:util';
import { status } from '@grpc/grpc-js';
import { isGrpcDeadlineError, isGrpcServiceError, ServiceError, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { asModelshipError } from '../sdk/client/temporalErrors';
import {
  DeploymentAlreadyRunningError,
  DeploymentFailedError,
  DeploymentNotFoundError,
  DeploymentTerminatedError,
  EndpointNotFoundError,
  InvalidSpecError,
  ModelshipError,
  SetupError,
} from '../sdk/errors';
import { CliError } from './cliError';
import { TEMPORAL_UNREACHABLE_HINT } from './connection';
import { EXIT_CODES, type ExitCode } from './exitCodes';

export interface ErrorReport {
  /** What happened (for a spec: a line, then one line per problem). */
  message: string;
  /** What to do about it. */
  hint?: string;
  exitCode: ExitCode;
}

const VERBOSE_HINT = 'run again with --verbose for the stack trace';
const WORKFLOW_ENDED_HINT = '`modelship status <endpoint>` shows what serves now; the Temporal UI shows who ended it';

/** What `error` means to a CLI user. */
export function describeCliError(error: unknown): ErrorReport {
  if (error instanceof CliError) return { message: error.message, hint: error.hint, exitCode: error.exitCode };
  if (error instanceof SetupError) return { message: error.message, hint: error.hint, exitCode: EXIT_CODES.error };
  if (error instanceof InvalidSpecError) {
    return {
      message: error.message,
      hint: 'fix the spec: `modelship schema` prints what each field takes (docs/pipeline-spec.md)',
      exitCode: EXIT_CODES.error,
    };
  }
  if (error instanceof EndpointNotFoundError)
    return { message: error.message, hint: 'deploy to it with `modelship deploy <spec>`', exitCode: EXIT_CODES.error };
  if (error instanceof DeploymentNotFoundError) {
    return { message: error.message, hint: '`modelship history <endpoint>` lists the deployments of an endpoint', exitCode: EXIT_CODES.error };
  }
  if (error instanceof DeploymentAlreadyRunningError) {
    return { message: error.message, hint: `follow it with \`modelship status ${error.workflowId}\``, exitCode: EXIT_CODES.error };
  }
  if (error instanceof DeploymentFailedError) return { message: error.message, hint: WORKFLOW_ENDED_HINT, exitCode: EXIT_CODES.error };
  if (error instanceof ModelshipError) return { message: error.message, exitCode: EXIT_CODES.error };
  if (error instanceof WorkflowFailedError) return workflowFailure(error);
  if (error instanceof WorkflowNotFoundError) {
    return { message: `no workflow ${error.workflowId}`, hint: '`modelship status <endpoint>` shows what the endpoint runs', exitCode: EXIT_CODES.error };
  }
  if (isGrpcDeadlineError(error)) {
    return { message: 'Temporal did not answer in time', hint: 'check that the server (and a worker: `modelship dev`) is running', exitCode: EXIT_CODES.error };
  }
  if (error instanceof ServiceError || isGrpcServiceError(error)) {
    const cause = isError(error.cause) ? ` (${firstLine(error.cause.message)})` : '';
    const code = grpcCode(error);
    if (code === status.UNAVAILABLE || code === status.UNIMPLEMENTED) {
      return { message: `cannot reach Temporal: ${firstLine(error.message)}${cause}`, hint: TEMPORAL_UNREACHABLE_HINT, exitCode: EXIT_CODES.error };
    }
    return { message: `Temporal refused the request: ${firstLine(error.message)}${cause}`, hint: VERBOSE_HINT, exitCode: EXIT_CODES.error };
  }
  const system = systemError(error);
  if (system) return { message: system, hint: VERBOSE_HINT, exitCode: EXIT_CODES.error };
  if (!isError(error)) return { message: String(error), hint: VERBOSE_HINT, exitCode: EXIT_CODES.error };
  const cause = (error as { cause?: unknown }).cause;
  const because = isError(cause) && cause.message ? `: ${firstLine(cause.message)}` : '';
  return { message: `${firstLine(error.message) || error.name}${because}`, hint: VERBOSE_HINT, exitCode: EXIT_CODES.error };
}

/** The text to print for `error` (the report, and with `verbose` the stack and causes), and the exit code. */
export function formatCliError(error: unknown, verbose: boolean): { text: string; exitCode: ExitCode } {
  const report = describeCliError(error);
  const lines = [`error: ${report.message}`];
  const hint = verbose && report.hint === VERBOSE_HINT ? undefined : report.hint;
  if (hint) lines.push('', hint);
  if (verbose) lines.push('', ...stackOf(error));
  return { text: lines.join('\n'), exitCode: report.exitCode };
}

/** A workflow that ended without a result (terminated, cancelled, timed out or failed), read as the client reads it (`asModelshipError`). */
function workflowFailure(error: WorkflowFailedError): ErrorReport {
  const ended = asModelshipError(error, { workflowId: '', address: '' }) as DeploymentFailedError;
  const how =
    ended instanceof DeploymentTerminatedError ? `was ${ended.how}${ended.reason !== ended.how ? ` (${ended.reason})` : ''}` : `failed: ${ended.reason}`;
  return { message: `the workflow ${how} before it returned a result`, hint: WORKFLOW_ENDED_HINT, exitCode: EXIT_CODES.error };
}

/** A Node system error (a refused connection, a missing file), possibly as the cause of a `fetch failed`. */
function systemError(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; isError(e) && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, address, port, path } = e as NodeJS.ErrnoException & { address?: string; port?: number };
    if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) continue;
    const where = address ? ` ${address}${port ? `:${port}` : ''}` : path ? ` ${path}` : '';
    return `${code === 'ECONNREFUSED' ? 'connection refused by' : code}${where}${error !== e ? ` (${firstLine((error as Error).message)})` : ''}`;
  }
  return undefined;
}

/** The gRPC status code of the error or of one of its causes. */
function grpcCode(error: unknown): number | undefined {
  for (let e: unknown = error, depth = 0; isError(e) && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

function stackOf(error: unknown): string[] {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; e = isError(e) ? (e as { cause?: unknown }).cause : undefined, depth++) {
    lines.push(...(depth > 0 ? ['caused by:'] : []), isError(e) ? (e.stack ?? e.message) : String(e));
  }
  return lines;
}

/** An Error, from this realm or another (a VM context, a test sandbox). */
function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}
