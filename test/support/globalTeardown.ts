/** Stops what globalSetup started; no process outlives the run. */
import { rm } from 'node:fs/promises';
import type { GlobalHandles } from './testEnv';

export default async function globalTeardown(): Promise<void> {
  const handles = (globalThis as GlobalHandles).__modelshipTest;
  if (!handles) return;
  await Promise.all(handles.stacks.flatMap((stack) => [stack.temporal.stop(), stack.s3.stop()]));
  if (!process.env.MODELSHIP_KEEP_TEST_DIR) await rm(handles.workDir, { recursive: true, force: true });
}
