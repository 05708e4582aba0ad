/**
 * What an integration run reuses instead of making again (test/support/exampleModels.ts,
 * test/support/workflowBundle.ts): the example models only while setup.sh's stamp matches, computed
 * here as setup.sh computes it, over the same files; the workflow bundle only while the digest
 * `npm run bundle:workflows` recorded beside it matches its inputs now.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../cli/dev/projectPaths';
import { bundleCurrent, inputsDigestPath, workflowBundleInputs } from '../../scripts/workflowBundleInputs';
import { setupStamp } from '../support/exampleModels';

test("the models' stamp is setup.sh's: the files its models_stamp names, hashed as its stamp() hashes them", async () => {
  const setup = await readFile(path.join(PACKAGE_ROOT, 'scripts', 'setup.sh'), 'utf8');
  const stamp = /^stamp\(\) \{ (.+); \}$/m.exec(setup)?.[1];
  const files = /^models_stamp=\$\(stamp ([^)]+)\)$/m.exec(setup)?.[1];
  expect([stamp, files]).toEqual([expect.any(String), expect.any(String)]);
  const { stdout } = await promisify(execFile)('bash', ['-c', `stamp() { ${stamp}; }; stamp ${files}`], { cwd: PACKAGE_ROOT });
  expect(await setupStamp()).toBe(stdout.trim());
});

describe('a prebuilt workflow bundle', () => {
  let root: string;
  let bundle: string;
  const write = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  };
  const record = async () => writeFile(inputsDigestPath(bundle), `${await workflowBundleInputs(root)}\n`);
  beforeEach(async () => {
    // A repository of its own: workflow code, the sdk it imports, a lockfile, and the bundle.
    root = await mkdtemp(path.join(os.tmpdir(), 'modelship-bundle-'));
    await write('workflows/index.ts', 'export {};\n');
    await write('sdk/names.ts', 'export const A = 1;\n');
    await write('package-lock.json', '{}\n');
    bundle = path.join(root, '.modelship', 'build', 'workflow-bundle.js');
    await write('.modelship/build/workflow-bundle.js', '// a bundle\n');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('is current while the digest recorded beside it is that of its inputs now', async () => {
    await record();
    expect(await bundleCurrent(bundle, root)).toBe(true);
    await write('activities/other.ts', 'export {};\n'); // not an input: workflow code imports only workflows/ and sdk/
    expect(await bundleCurrent(bundle, root)).toBe(true);
  });

  test('is not current with no digest recorded, or once a workflow, an sdk file or the lockfile changed', async () => {
    expect(await bundleCurrent(bundle, root)).toBe(false);
    for (const [file, text] of [
      ['workflows/index.ts', 'export const changed = 1;\n'],
      ['sdk/names.ts', 'export const A = 2;\n'],
      ['sdk/schemas/added.ts', 'export {};\n'],
      ['package-lock.json', '{"lockfileVersion": 3}\n'],
    ]) {
      await record();
      await write(file as string, text as string);
      expect([file, await bundleCurrent(bundle, root)]).toEqual([file, false]);
    }
  });

  test("this repository's digest covers its workflows/ and sdk/", async () => {
    expect(await workflowBundleInputs()).toMatch(/^[0-9a-f]{64}$/);
  });
});
