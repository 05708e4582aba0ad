/**
 * `npm run bench:fidelity`: does Modelship refuse what changes a model's behaviour, before any
 * traffic, and accept what does not? For each base model (the example classifier, and a small image
 * classifier with dynamic height and width served at 48×192), `bench/makeFidelityModels.py` builds
 * mutated copies (weights ×1.05 and ×2, a layer partly zeroed, classes swapped, the final softmax
 * removed, the input rescaled, NaN reachable only at real image sizes, the input renamed, the output
 * cast, a truncated file, an unsupported opset) and faithful ones (identical, metadata only, node
 * names changed). The base is deployed as the stable version; each copy is then deployed through the
 * real pipeline with default settings and a direct rollout. A changing copy must end `rejected` (or
 * fail before its release); a faithful one must be promoted. Prints one row per case and the totals:
 * caught, missed, false rejections. `FIDELITY_SUITES=classifier` runs one suite.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startDevEnvironment } from '../cli/dev/devEnvironment';
import { freePort } from '../cli/dev/ports';
import { PACKAGE_ROOT, venvTool } from '../cli/dev/projectPaths';
import { ModelshipClient } from '../sdk/client';
import type { DeploymentResult, PipelineSpecInput } from '../sdk/schemas';

interface Case {
  case: string;
  file: string;
  changes: boolean;
}

interface Suite {
  name: string;
  /** The base model: a path, or `image` for the generator's image classifier. */
  base: string;
  model: Partial<PipelineSpecInput['model']>;
  extraArgs: string[];
}

const SUITES: Suite[] = [
  { name: 'classifier', base: path.join(PACKAGE_ROOT, 'examples/models/classifier.onnx'), model: { task: 'classifier' }, extraArgs: [] },
  {
    name: 'image',
    base: 'image',
    // Served at 48×192: the profile says so, and every gate uses it.
    model: { task: 'classifier', profile: { inputs: { image: { shape: [1, 3, 48, 192] } } } },
    extraArgs: ['--nan-at-height', '40'],
  },
];

function spec(endpoint: string, version: string, file: string, model: Suite['model']): PipelineSpecInput {
  return { endpoint, version, model: { source: pathToFileURL(file).href, ...model }, rollout: { strategy: 'direct' } };
}

/** Refused before any traffic: rejected, or failed before the release stage ran. */
function refusedBeforeTraffic(result: DeploymentResult): boolean {
  if (result.outcome === 'rejected') return true;
  return result.outcome === 'failed' && result.stages.find((s) => s.name === 'release')?.status !== 'succeeded' && !result.release;
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'modelship-fidelity-'));
  const env = await startDevEnvironment({
    stateDir: path.join(workDir, 'state'),
    temporalPort: await freePort(),
    gatewayPort: await freePort(),
    uiPort: null,
    persist: false,
  });
  const client = await ModelshipClient.connect({ address: env.temporalAddress, store: env.storeUri });
  const totals = { caught: 0, missed: 0, falseRejections: 0, accepted: 0 };
  try {
    const only = process.env.FIDELITY_SUITES?.split(',');
    for (const suite of SUITES.filter((s) => !only || only.includes(s.name))) {
      const dir = path.join(workDir, suite.name);
      execFileSync(venvTool('python'), [path.join(PACKAGE_ROOT, 'bench/makeFidelityModels.py'), suite.base, dir, ...suite.extraArgs], { stdio: 'pipe' });
      const cases = JSON.parse(await readFile(path.join(dir, 'cases.json'), 'utf8')) as Case[];
      const endpoint = `fidelity-${suite.name}`;
      const stable = await (await client.deploy(spec(endpoint, 'base', path.join(dir, 'base.onnx'), suite.model))).result();
      if (stable.outcome !== 'promoted') throw new Error(`${suite.name}: the base model was not promoted: ${stable.failure?.message ?? stable.outcome}`);
      console.log(`\n${suite.name}: base promoted; ${cases.length} cases`);
      console.log(`${'case'.padEnd(24)} ${'expected'.padEnd(8)} ${'outcome'.padEnd(10)} ${'verdict'.padEnd(16)} reason`);
      for (const [index, c] of cases.entries()) {
        const started = Date.now();
        const result = await (await client.deploy(spec(endpoint, `case${index}`, path.join(dir, c.file), suite.model))).result();
        const refused = refusedBeforeTraffic(result);
        const verdict = c.changes ? (refused ? 'caught' : 'MISSED') : refused ? 'FALSE REJECTION' : 'accepted';
        if (verdict === 'caught') totals.caught++;
        else if (verdict === 'MISSED') totals.missed++;
        else if (verdict === 'FALSE REJECTION') totals.falseRejections++;
        else totals.accepted++;
        const reason = result.failure ? `${result.failure.type}: ${result.failure.message}`.replace(/\s+/g, ' ').slice(0, 150) : 'promoted';
        console.log(
          `${c.case.padEnd(24)} ${(c.changes ? 'refuse' : 'accept').padEnd(8)} ${result.outcome.padEnd(10)} ${verdict.padEnd(16)} ${reason} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        );
        // Keep judging every case against the base: put it back if a copy was promoted.
        if (result.outcome === 'promoted') await client.endpoint(endpoint).rollback({ by: 'bench:fidelity', reason: 'next case' });
      }
    }
    const changing = totals.caught + totals.missed;
    const faithful = totals.accepted + totals.falseRejections;
    console.log(`\ncaught ${totals.caught}/${changing}, missed ${totals.missed}, false rejections ${totals.falseRejections}/${faithful}`);
    process.exitCode = totals.missed + totals.falseRejections === 0 ? 0 : 1;
  } finally {
    await client.close();
    await env.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
