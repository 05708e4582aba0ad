/**
 * The examples as users run them, each with its one command on the embedded default (its own dev
 * server, worker and gateway): the demo (the ONNX classifier: promoted, a corrupt model rejected, a
 * canary promoted and a damaged one rolled back), and the custom-activity project — type-checked on
 * its own as a user project importing only the package's public subpaths, then run end to end; and
 * the README's canary recipe, its code block run as it is written (its `traffic` in the
 * background, ended with the script, the canary deploy, status, rollback, history) against a dev environment.
 * (The scikit-learn and PyTorch examples run in modelStages.test.ts, the XGBoost and LightGBM examples in
 * treeAndRegistrySources.test.ts, the CI example in ciExample.test.ts.)
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startDevEnvironment } from '../../cli/dev/devEnvironment';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { codeBlockWith } from '../support/markdownBlocks';
import { endScriptGroups, runBash } from '../support/scriptGroups';
import { tempDir, testEnv } from '../support/testEnv';

function run(command: string, args: string[], timeoutMs = 300_000, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: PACKAGE_ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

// The examples' Modelship workers load the workflow bundle globalSetup built instead of bundling at start
// (check:package's quick start covers bundling at start).
const tsx = (file: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', file, ...args], 420_000, { MODELSHIP_WORKFLOW_BUNDLE: testEnv('workflowBundle') });
const CUSTOM = path.join(PACKAGE_ROOT, 'examples', 'custom-activity');

test('the demo: classifier promoted, corrupt model rejected, canary promoted, damaged canary rolled back, a version degrading after promotion rolled back by its watch', async () => {
  const stateDir = await tempDir('demo');
  const { code, output } = await tsx(
    'examples/demo.ts',
    '--exit',
    '--bad-canary',
    '--watch-failure',
    '--state-dir',
    stateDir,
    '--port',
    String(await freePort()),
    '--gateway-port',
    String(await freePort()),
  );
  expect(output).toMatch(/promoted: classifier now serves v1/);
  expect(output).toMatch(/rejected at convert: ModelUnloadable: not a valid ONNX model/);
  expect(output).toMatch(/the endpoint still serves v1/);
  expect(output).toMatch(/promoted: classifier now serves v2/);
  expect(output).toMatch(/rolled back: CanaryRegressed: /);
  expect(output).toMatch(/fault switch: 30% of v4-degrades's requests now fail \(injected\), after its promotion/);
  expect(output).toMatch(/rolled back: CanaryRegressed: switch to 100% (failed analysis|degraded during the watch).*error-rate.*; classifier serves v2 again/);
  expect(output).toMatch(/watch failed → every replica serves v2 again in \d+ ms/);
  expect(code).toBe(0);
}, 420_000);

test('the custom-activity project imports only public subpaths and type-checks on its own', async () => {
  for (const file of (await readdir(CUSTOM)).filter((f) => f.endsWith('.ts'))) {
    const imports = [...(await readFile(path.join(CUSTOM, file), 'utf8')).matchAll(/from '([^']+)'/g)].map((m) => m[1] as string);
    for (const specifier of imports) {
      expect([file, specifier]).toEqual([
        file,
        expect.stringMatching(
          /^(\.\/[\w-]+|modelship(\/(client|workflows|activities|schemas|worker|testing))?|@temporalio\/[\w-]+|onnxruntime-node|node:[\w/]+)$/,
        ),
      ]);
    }
  }
  // The package as users get it: built to dist/, resolved through its exports map.
  const build = await run('npm', ['run', 'build']);
  expect(build.code).toBe(0);
  const typecheck = await run(path.join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', path.join(CUSTOM, 'tsconfig.json')]);
  expect(typecheck.output).toBe('');
  expect(typecheck.code).toBe(0);
});

test('the custom-activity workflow runs end to end: the team check passes on one endpoint and rejects on the other', async () => {
  const { code, output } = await tsx('examples/custom-activity/run.ts');
  expect(output).toMatch(/governed-classifier: promoted\n/);
  expect(output).toMatch(/fairness +succeeded prediction-rate gap between groups 0\.\d+ \(class \d\) ≤ 0\.5/);
  expect(output).toMatch(/ticket +succeeded change ticket .*governed-classifier-v1\.json/);
  expect(output).toMatch(
    /strict-classifier: rejected — CustomCheckFailed at fairness: FairnessCheckFailed: prediction-rate gap 0\.\d+ between groups \(class \d\) exceeds 0\.1/,
  );
  expect(output).toMatch(/release +skipped/);
  expect(code).toBe(0);
});

/** Runs a bash script in its own process group, which is ended afterwards with what it left in the background (the recipe's `traffic`). */
function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return runBash(['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: PACKAGE_ROOT, env: { ...process.env, FORCE_COLOR: '0', ...env } });
}

// A test that times out leaves its script running: end its process group.
afterAll(endScriptGroups);

test("the README's canary recipe, as written: a canary under the recipe's traffic is promoted, then rolled back by the operator", async () => {
  const recipe = codeBlockWith(await readFile(path.join(PACKAGE_ROOT, 'README.md'), 'utf8'), 'bash', 'modelship traffic classifier');
  process.env.MODELSHIP_WORKFLOW_BUNDLE = testEnv('workflowBundle');
  const env = await startDevEnvironment({
    stateDir: await tempDir('readme-canary'),
    temporalPort: await freePort(),
    gatewayPort: await freePort(),
    uiPort: null,
    persist: false,
  });
  try {
    // Where the recipe's commands find this environment: its defaults are the dev environment's ports.
    const settings = { TEMPORAL_ADDRESS: env.temporalAddress, MODELSHIP_STORE: env.storeUri, MODELSHIP_GATEWAY_URL: env.gatewayUrl };
    const first = await run(path.join(PACKAGE_ROOT, 'bin', 'modelship'), ['deploy', 'examples/onnx-classifier/pipeline.yaml', '--wait'], 300_000, settings);
    expect(first.output).toMatch(/promoted: classifier now serves v1/);
    const { code, output } = await runScript(recipe, settings);
    expect(output).toMatch(/↳ shadow 100% +passed/);
    expect(output).toMatch(/↳ canary 25% +passed/);
    expect(output).toMatch(/↳ canary 50% +passed/);
    expect(output).toMatch(/promoted: classifier now serves v2/);
    expect(output).toMatch(/stable +v2/);
    expect(output).toMatch(/\[stable v2 → v1\]/); // the history after the rollback
    expect(code).toBe(0);
  } finally {
    delete process.env.MODELSHIP_WORKFLOW_BUNDLE;
    await env.stop();
  }
}, 600_000);
