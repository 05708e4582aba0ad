/** Recorded histories (deployModel, canary, blue/green, the endpoint workflow, driftCheck) replay without nondeterminism against today's workflow code. */
import { execFile } from 'node:child_process';
import { PACKAGE_ROOT, tsEntry } from '../../cli/dev/projectPaths';
import { testEnv } from '../support/testEnv';

test('every history under test/replay/histories replays cleanly', async () => {
  const entry = tsEntry('test/replay/replayHistories.ts');
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      entry.command,
      entry.args,
      { cwd: PACKAGE_ROOT, env: { ...process.env, MODELSHIP_WORKFLOW_BUNDLE: testEnv('workflowBundle') } },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: `${out}${err}` }),
    );
  });
  expect(stdout).toMatch(/replayed \d+ histories, 0 failed/);
  expect(stdout).toMatch(/ok {3}deployModel-promoted/);
  expect(stdout).toMatch(/ok {3}deployModel-rejected/);
  for (const name of [
    'canary-promoted',
    'canary-rolled-back',
    'blueGreen-promoted',
    'endpoint-queue-rollback',
    'endpoint-rollback-to',
    'deployModel-re-release',
    'driftCheck-rolled-back',
    'endpoint-drift-schedule',
  ])
    expect(stdout).toMatch(new RegExp(`ok {3}${name}`));
  expect(code).toBe(0);
});
