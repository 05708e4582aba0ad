/**
 * Replays every recorded history in `test/replay/histories/` against the current workflow code and
 * exits non-zero on any nondeterminism. Runs as its own process (the Temporal native runtime stays
 * out of the test runner); `test/integration/replay.test.ts` runs it.
 *
 * Record a new history from a dev server with `test/replay/recordHistory.ts`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

const HISTORIES = path.join(__dirname, 'histories');

async function main(): Promise<number> {
  // Histories recorded by older versions of the workflows stay in subfolders: running executions
  // started by those versions must keep replaying (a shape change is guarded by patched()).
  const files = (await readdir(HISTORIES, { recursive: true })).filter((f) => f.endsWith('.binpb')).sort();
  if (files.length === 0) throw new Error(`no histories in ${HISTORIES}`);
  const histories = await Promise.all(
    files.map(async (file) => ({
      workflowId: file.replace(/\.binpb$/, ''),
      history: temporal.api.history.v1.History.decode(await readFile(path.join(HISTORIES, file))),
    })),
  );
  const bundle = process.env.MODELSHIP_WORKFLOW_BUNDLE;
  const source = bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../../workflows') };
  let failed = 0;
  for await (const result of Worker.runReplayHistories(source, histories)) {
    if (result.error) {
      failed++;
      console.log(`FAIL ${result.workflowId}: ${result.error.message}`);
    } else {
      console.log(`ok   ${result.workflowId}`);
    }
  }
  console.log(`replayed ${files.length} histories, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
