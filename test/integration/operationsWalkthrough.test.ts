/**
 * docs/operations.md's walkthrough, run as the doc shows it: `docs/operations/walkthrough.sh`
 * (embedded in the doc byte for byte) starts its own Temporal server with the `temporal` CLI, a
 * SeaweedFS S3 server, a worker in its own folder and two gateway replicas, then deploys from a CI
 * folder: a release, a canary under traffic to both replicas, a manual rollback and a canary that
 * analysis rolls back. Only the ports (free ones), the work folder and the models change.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../../cli/dev/ports';
import { PACKAGE_ROOT, venvTool } from '../../cli/dev/projectPaths';
import { codeBlockWith } from '../support/markdownBlocks';
import { endScriptGroups, runBash } from '../support/scriptGroups';
import { distinctPorts } from '../support/s3Server';
import { modelPath, tempDir, testEnv } from '../support/testEnv';

const SCRIPT = path.join(PACKAGE_ROOT, 'docs', 'operations', 'walkthrough.sh');

// A test that times out leaves its script running: end its process group.
afterAll(endScriptGroups);

test('docs/operations.md embeds the walkthrough script byte for byte', async () => {
  const doc = await readFile(path.join(PACKAGE_ROOT, 'docs', 'operations.md'), 'utf8');
  expect(codeBlockWith(doc, 'bash', 'The production layout on one host')).toBe(await readFile(SCRIPT, 'utf8'));
});

test('the walkthrough: release, canary under traffic to two replicas promoted, manual rollback, bad canary rolled back', async () => {
  const [temporal, s3, master, volume, filer, admin, webdav] = await distinctPorts(7);
  const env = {
    ...process.env,
    PATH: [path.join(PACKAGE_ROOT, 'bin'), path.dirname(venvTool('temporal')), process.env.PATH].join(path.delimiter),
    WORK: await tempDir('walkthrough'),
    TEMPORAL_PORT: String(temporal),
    S3_PORT: String(s3),
    GATEWAY_A: String(await freePort()),
    GATEWAY_B: String(await freePort()),
    WEED_FLAGS: `-master.port=${master} -volume.port=${volume} -filer.port=${filer} -admin.port=${admin} -admin.ui=false -webdav.port=${webdav} -webdav=false -s3.port.iceberg=0 -s3.port.lance=0`,
    MODEL: modelPath('classifier'),
    BAD_MODEL: modelPath('classifier_perturbed'),
    MODELSHIP_WORKFLOW_BUNDLE: testEnv('workflowBundle'),
    MODELSHIP_SOURCE_ROOTS: '', // as on a fresh host: the script sets the worker's own
    FORCE_COLOR: '0',
  };
  const started = Date.now();
  const { code, output } = await runBash([SCRIPT], { cwd: PACKAGE_ROOT, env });
  console.log(`operations walkthrough: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(output).toContain(`walkthrough: state and logs in ${env.WORK}`);
  expect(output).toMatch(/promoted: classifier now serves v1/);
  expect(output).toMatch(/↳ canary 50% +passed/);
  expect(output).toMatch(/promoted: classifier now serves v2/);
  expect(output).toMatch(/rolled back: CanaryRegressed: /);
  expect(output).toMatch(/stable +v1/);
  expect(code).toBe(0);
}, 600_000);
