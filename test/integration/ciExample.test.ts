/**
 * The CI example (`examples/ci/github-actions.yml`) as GitHub runs its deploy step: the step's
 * script, unchanged, through `bash --noprofile --norc -eo pipefail` (what `shell: bash` means),
 * with the job's environment (variables and secrets expanded as GitHub does: unset ones are empty
 * strings), against the real dev server, a worker and a gateway. Substituted for this machine:
 * `bin/modelship` for `npx modelship`, the generated model file for the downloaded artifact, a
 * filesystem store for the S3 one, the endpoint, and the runner's paths (`RUNNER_TEMP`,
 * `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`).
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { modelPath, startGatewayProcess, startWorkerProcess, tempDir, testEnv } from '../support/testEnv';

interface Step {
  id?: string;
  run?: string;
}
interface Job {
  env?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  steps: Step[];
}

const WORKFLOW_FILE = path.join(PACKAGE_ROOT, 'examples/ci/github-actions.yml');
const UI_URL = 'http://temporal-ui.example';

let worker: ManagedProcess;
let gateway: { process: ManagedProcess; url: string };
let storeDir: string;
let job: Job;
let script: string;

beforeAll(async () => {
  storeDir = await tempDir('store-ci');
  const workflow = parse(await readFile(WORKFLOW_FILE, 'utf8')) as { jobs: Record<string, Job> };
  job = workflow.jobs.deploy as Job;
  const step = job.steps.find((s) => s.id === 'deploy');
  if (!step?.run) throw new Error('the deploy job has no step with id "deploy" and a run: script');
  script = step.run;
  [worker, gateway] = await Promise.all([startWorkerProcess(storeDir), startGatewayProcess(storeDir)]);
});

afterAll(async () => {
  await Promise.all([worker?.stop(), gateway?.process.stop()]);
});

/** GitHub's `${{ … }}` as far as the job's env uses it: `vars.X`, `secrets.X`, `github.X`. */
function expand(value: string, context: Record<string, Record<string, string>>): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_match, expression: string) => {
    const [, scope, name] = /^(vars|secrets|github)\.(\w+)$/.exec(expression) ?? [];
    if (!scope || !name) throw new Error(`this test does not evaluate \${{ ${expression} }}: extend expand()`);
    return context[scope]?.[name] ?? ''; // as on GitHub: an unset variable or secret is ''
  });
}

interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: string;
  summary: string;
  result: string;
}

/** Runs the deploy step's script as GitHub would, for one model and version. */
async function runDeployStep(model: string, version: string): Promise<StepRun> {
  const runner = await tempDir('runner');
  const files = { output: path.join(runner, 'github_output'), summary: path.join(runner, 'step_summary'), script: path.join(runner, 'step.sh') };
  await Promise.all([writeFile(files.output, ''), writeFile(files.summary, '')]);
  const context = {
    vars: { TEMPORAL_ADDRESS: testEnv('temporalAddress'), MODELSHIP_UI_URL: UI_URL, MODELSHIP_STORE: storeDir },
    secrets: {}, // none: the script must cope with their empty strings
    github: { sha: version },
  };
  const jobEnv = Object.fromEntries(Object.entries(job.env ?? {}).map(([k, v]) => [k, expand(String(v), context)]));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...jobEnv,
    MODEL_FILE: model,
    ENDPOINT: 'ci-example',
    RUNNER_TEMP: runner,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
  };
  await writeFile(files.script, script.replace(/\bnpx modelship /g, `${JSON.stringify(path.join(PACKAGE_ROOT, 'bin', 'modelship'))} `));
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', files.script], { env, cwd: PACKAGE_ROOT }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
    );
  });
  const read = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');
  return {
    code,
    stdout,
    stderr,
    outputs: await read(files.output),
    summary: await read(files.summary),
    result: await read(path.join(runner, 'deployment.json')),
  };
}

test('the deploy step is a bash script with one `npx modelship deploy --wait --json` and no expressions', () => {
  expect(job.defaults?.run?.shell).toBe('bash');
  expect(script.match(/npx modelship deploy [^\n]*--wait[^\n]*--json/g)).toHaveLength(1);
  expect(script).not.toContain('${{');
});

test('a good model: the step exits 0, keeps the result (JSON only) and writes the summary', async () => {
  const version = `ci-good-${Date.now().toString(36)}`;
  const run = await runDeployStep(modelPath('classifier'), version);
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.outputs).toBe('exit-code=0\n');
  // stdout of `modelship deploy --json` is one JSON document: the result.
  const result = JSON.parse(run.result);
  expect(result).toMatchObject({ outcome: 'promoted', endpoint: 'ci-example', version });
  expect(result.stages.find((s: { name: string }) => s.name === 'release').summary).toMatch(/released directly/);
  // The progress and the UI link went to stderr, the job's log.
  const link = `${UI_URL}/namespaces/default/workflows/deploy%2Fci-example%2F${version}`;
  expect(run.stderr).toContain(`ui        ${link}`);
  expect(run.stderr).toMatch(/✓ validate/);
  expect(run.stderr).toContain(`promoted: ci-example now serves ${version}`);
  expect(run.summary).toContain(`### ci-example ${version}: promoted`);
  expect(run.summary).toMatch(/\| release \| succeeded \| .*generation 1 applied by 1 replica/);
  expect(run.summary).toContain(`[Temporal UI](${link})`);
  expect((await fetch(`${gateway.url}/v2/models/ci-example/ready`)).status).toBe(200);
});

test('a corrupt model: the step fails with exit code 3 and says why', async () => {
  const version = `ci-bad-${Date.now().toString(36)}`;
  const run = await runDeployStep(modelPath('corrupt'), version);
  expect(run.code).toBe(3);
  expect(run.outputs).toBe('exit-code=3\n');
  expect(JSON.parse(run.result)).toMatchObject({ outcome: 'rejected', failure: { type: 'ModelUnloadable' } });
  expect(run.stdout).toContain(`::error title=Rejected::ci-example ${version} was rejected: ModelUnloadable at convert:`);
  expect(run.summary).toContain(`### ci-example ${version}: rejected`);
});
