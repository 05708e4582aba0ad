/**
 * Runs `activities/python/modelTools.py <command>` with the toolchain's Python (`venv.ts`), a typed JSON request
 * and response, a timeout, and stderr captured into the failure. A refused model (exit 2) becomes a
 * non-retryable failure of the type the tool names; a Python without the toolchain's packages is a
 * non-retryable `ToolchainMissing` failure naming the setup command; anything else is left to retry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ApplicationFailure } from '@temporalio/common';
import path from 'node:path';
import type { z } from 'zod';
import { isFailureType, type FailureType } from '../../sdk/errors';
import { rejection } from '../failures';
import { missingPackageMessage, toolMissingMessage } from './toolchain';
import { PYTHON_TOOL_ROOT, venvPython } from './venv';

/** The failure type of a tool run by a Python that lacks the toolchain's packages. */
export const TOOLCHAIN_MISSING = 'ToolchainMissing';

export interface PythonToolOptions {
  timeoutMs: number;
  /** What a crash of the tool (killed by a signal such as SIGSEGV) means for the model. */
  crashType?: FailureType;
  /** Called periodically while the tool runs (activity heartbeats). */
  onProgress?: () => void;
}

export async function runPythonTool<S extends z.ZodType>(command: string, request: unknown, schema: S, options: PythonToolOptions): Promise<z.output<S>> {
  const script = path.join(PYTHON_TOOL_ROOT, 'modelTools.py');
  const python = venvPython();
  // Its own process group, so a timeout kills what it started too (the CPU session probe), not only the tool.
  const child = spawn(python, [script, command], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' }, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
  });
  child.stdin.end(JSON.stringify(request));
  const progress = options.onProgress ? setInterval(options.onProgress, 5000) : undefined;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, options.timeoutMs);
  let signal: NodeJS.Signals | null = null;
  const code = await new Promise<number | null>((resolve, reject) => {
    // No interpreter there: an infrastructure error (retried), saying how to install one.
    child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(toolMissingMessage('python', python)) : error));
    child.once('exit', (c, s) => {
      signal = s;
      resolve(c);
    });
  }).finally(() => {
    clearTimeout(timer);
    if (progress) clearInterval(progress);
  });
  const tail = stderr.trim().split('\n').slice(-15).join('\n');
  if (timedOut) throw new Error(`python ${command} did not finish within ${options.timeoutMs} ms\n${tail}`);
  if (signal && options.crashType) {
    // The same input crashes the same native code every time: retrying cannot help.
    throw rejection(options.crashType, `python ${command} crashed (${signal}) on this model: a native library (onnxruntime, onnx) failed on it`);
  }
  if (code === 2) {
    const parsed = safeJson(stdout) as { error?: { type?: string; message?: string } } | undefined;
    const type = parsed?.error?.type;
    const message = parsed?.error?.message ?? `python ${command} refused the model`;
    throw rejection(isFailureType(type) ? type : 'ModelValidationFailed', message);
  }
  const missing = code === 0 ? undefined : missingPackageMessage(stderr, python);
  // Retrying cannot install a package: fail at once, saying how to install the toolchain.
  if (missing) throw ApplicationFailure.create({ type: TOOLCHAIN_MISSING, message: missing, nonRetryable: true });
  if (code !== 0) throw new Error(`python ${command} failed (exit ${code}):\n${tail}`);
  const response = schema.safeParse(safeJson(stdout));
  if (!response.success) throw new Error(`python ${command} answered unexpectedly: ${response.error.message}\n${stdout.slice(0, 500)}`);
  return response.data;
}

/** SIGKILLs the tool's process group (the tool and every process it started); the tool alone if that fails. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid === undefined) throw new Error('no pid');
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
}
