/**
 * The examples as users run them, each with its one command on the embedded default (its own dev
 * server, worker and gateway): the demo (the ONNX classifier: promoted, a corrupt model rejected, a
 * canary promoted and a damaged one rolled back), and the custom-activity project — type-checked on
 * its own as a user project importing only the package's public subpaths, then run end to end.
 * (The scikit-learn and PyTorch examples run in modelStages.test.ts, the CI example in ciExample.test.ts.)
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { tempDir } from '../support/testEnv';

function run(command: string, args: string[], timeoutMs = 300_000): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: PACKAGE_ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

const tsx = (file: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', file, ...args]);
const CUSTOM = path.join(PACKAGE_ROOT, 'examples', 'custom-activity');

test('the demo: classifier promoted, corrupt model rejected, canary promoted, damaged canary rolled back', async () => {
  const stateDir = await tempDir('demo');
  const { code, output } = await tsx(
    'examples/demo.ts',
    '--exit',
    '--bad-canary',
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
  expect(code).toBe(0);
});

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
