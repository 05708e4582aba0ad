/**
 * An endpoint's versions over the real stack (Temporal dev server, worker, two gateway replicas,
 * onnxruntime): three versions promoted, `modelship rollback --to` the version before last under
 * paced traffic on both replicas with no failed request; an alias set by `modelship alias` and used
 * by a re-release (`model.source: version:<alias>`, model stages skipped, the benchmark gate run)
 * and by a rollback; a re-release by digest; rollbacks refused before anything changes (artifact
 * deleted from the store, inputs changed); `modelship versions --json`; a plain rollback after a
 * release that added an output (a warning, not a refusal); a queued re-release that releases what its
 * alias named at admission; a forced rollback (`--force`).
 */
import { pathToFileURL } from 'node:url';
import type { ManagedProcess } from '../../cli/dev/childProcess';
import { ControlRejectedError, DeploymentRefusedError, type EndpointVersion, type ModelshipClient } from '../../sdk/client';
import { keptVersionsDocument, routingDocument, type PipelineSpecInput } from '../../sdk/schemas';
import { FsArtifactStore, readDocument, storeKeys } from '../../store';
import { startPacedTraffic } from '../support/pacedTraffic';
import { startStack, type Stack } from '../support/stack';
import { modelPath, runCli, startGatewayProcess, waitForStatus, type ExampleModel } from '../support/testEnv';

const ep = 'versions';
let stack: Stack;
let client: ModelshipClient;
let second: { process: ManagedProcess; url: string };

beforeAll(async () => {
  stack = await startStack('store-versions', { replicaId: 'versions-a' });
  client = stack.client;
  second = await startGatewayProcess(stack.storeDir, { replicaId: 'versions-b' });
});

afterAll(async () => {
  await second?.process.stop();
  await stack?.stop();
});

const cli = (...args: string[]) => runCli(args, { storeUri: stack.storeDir });
const routing = () => readDocument(new FsArtifactStore(stack.storeDir), storeKeys.routing(ep), routingDocument);

/** Same answers, different digests: the classifier, at opset 13, with other metadata. */
function spec(version: string, source: string, extra: Partial<PipelineSpecInput> = {}): PipelineSpecInput {
  return { endpoint: ep, version, model: { source, task: 'classifier' }, stages: { optimize: { enabled: false }, benchmark: { enabled: false } }, ...extra };
}
const file = (model: ExampleModel) => pathToFileURL(modelPath(model)).href;

async function promote(input: PipelineSpecInput) {
  const result = await (await client.deploy(input)).result();
  expect({ version: input.version, outcome: result.outcome, failure: result.failure }).toEqual({
    version: input.version,
    outcome: 'promoted',
    failure: undefined,
  });
  return result;
}

const digests: Record<string, string> = {};

test('three versions promoted, then rollback --to the version before last under traffic: every replica, 0 failed requests', async () => {
  for (const [version, model] of [
    ['v1', 'classifier'],
    ['v2', 'classifier_opset13'],
    ['v3', 'classifier_metadata'],
  ] as const) {
    digests[version] = (await promote(spec(version, file(model)))).artifact?.digest as string;
  }
  expect(new Set(Object.values(digests)).size).toBe(3);

  const traffic = [startPacedTraffic(stack.gateway.url, ep), startPacedTraffic(second.url, ep)];
  await new Promise((r) => setTimeout(r, 500));
  const rollback = await cli('rollback', ep, '--to', 'v1', '--reason', 'v2 and v3 drift', '--by', 'oncall');
  await new Promise((r) => setTimeout(r, 500));
  const [a, b] = await Promise.all(traffic.map((t) => t.stop()));
  expect(rollback.stderr).toBe('');
  expect(rollback.stdout).toMatch(/rolled back from v3 to v1 by oncall: v2 and v3 drift \(generation \d+, 2 replica\(s\), verified \{"v1":\d+\}, \d+ ms\)/);
  for (const replica of [a, b]) {
    expect(replica?.failures).toEqual([]);
    expect(replica?.served.v1).toBeGreaterThan(0);
  }
  expect((await routing())?.versions).toEqual([expect.objectContaining({ version: 'v1', digest: digests.v1, weight: 100 })]);
  expect(await client.endpoint(ep).status()).toMatchObject({ stable: { version: 'v1' }, previous: { version: 'v3' } });
});

test('an alias names a version for a re-release: the model stages are skipped, the benchmark gate still runs', async () => {
  const alias = await cli('alias', ep, 'champion', 'v2', '--by', 'ml-lead');
  expect(alias.stdout.trim()).toBe('alias champion → v2 on endpoint versions (set) by ml-lead');
  const unknown = await cli('alias', ep, 'champion', 'v9');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/setAlias refused by endpoint\/versions: endpoint versions has no version or alias v9; it knows v1, v2, v3, champion/);

  const benchmark = { enabled: true, windowRuns: 5, budget: '1s', maxRegressionPercent: 300 };
  const result = await promote(spec('v4', 'version:champion', { stages: { optimize: { enabled: false }, benchmark } }));
  expect(result.artifact?.digest).toBe(digests.v2);
  const stages = Object.fromEntries(result.stages.map((s) => [s.name, s]));
  for (const name of ['ingest', 'convert', 'optimize', 'validate']) {
    expect(stages[name]).toMatchObject({
      status: 'skipped',
      summary: expect.stringMatching(/^re-release of v2 \([0-9a-f]{12}, by alias champion\), validated for versions when it served$/),
    });
  }
  expect(stages.recall).toMatchObject({ status: 'succeeded', summary: expect.stringMatching(/keeps v1's IO contract$/) });
  expect(stages.benchmark?.status).toBe('succeeded');
  expect(result.benchmarks[0]?.gate).toMatchObject({ stable: 'stable v1', gated: true, regressed: false });
  expect((await routing())?.versions).toEqual([expect.objectContaining({ version: 'v4', digest: digests.v2 })]);

  // A version the endpoint never served is refused at admission.
  const refused = client.deploy(spec('v5', 'version:nope'));
  await expect(refused).rejects.toThrow(DeploymentRefusedError);
  await expect(refused).rejects.toThrow(/cannot re-release version:nope: endpoint versions has no version or alias nope/);
});

test('an alias and a digest are usable wherever a version is: rollback --to an alias, a re-release by digest', async () => {
  await client.endpoint(ep).setAlias('champion', 'v1', 'ml-lead');
  expect(await client.endpoint(ep).rollback({ to: 'champion', by: 'oncall', reason: 'champion again' })).toMatch(
    /^rolled back from v4 to v1 by oncall: champion again/,
  );
  await expect(client.endpoint(ep).rollback({ to: 'champion' })).rejects.toThrow(/endpoint versions already serves v1 \(alias champion\)/);
  const byDigest = await promote(spec('v5', `digest:sha256:${digests.v3}`));
  expect(byDigest.artifact?.digest).toBe(digests.v3);
  expect(byDigest.stages.find((s) => s.name === 'convert')?.summary).toMatch(/^re-release of v3 \([0-9a-f]{12}, by digest [0-9a-f]{12}\)/);
});

test('a rollback is refused, before anything changes, when the artifact is gone or the IO contract differs', async () => {
  const before = await routing();
  const gone = new FsArtifactStore(stack.storeDir);
  await gone.delete(storeKeys.model(digests.v2 as string));
  const deleted = await cli('rollback', ep, '--to', 'v2');
  expect(deleted.code).toBe(1);
  expect(deleted.stderr).toMatch(
    new RegExp(
      `rollback refused by endpoint/versions: rollback of endpoint versions to v2 refused: the artifact of v2 \\(models/${digests.v2}\\.onnx\\) is no longer in the store`,
    ),
  );
  // v4 is a re-release of the same artifact: refused for the same reason, and a re-release of it too.
  await expect(client.endpoint(ep).rollback({ to: 'v4' })).rejects.toThrow(ControlRejectedError);
  const reRelease = await (await client.deploy(spec('v6', 'version:v2'))).result();
  expect(reRelease).toMatchObject({ outcome: 'rejected', failure: { type: 'ModelSourceUnreadable', stage: 'recall' } });
  expect(await routing()).toEqual(before);

  // A version with another input (the embedding model: token_ids, not features), allowed to break the contract.
  await promote({
    ...spec('v7', file('embedding')),
    model: { source: file('embedding') },
    stages: { optimize: { enabled: false }, benchmark: { enabled: false }, validate: { allowBreakingChanges: true } },
  });
  const serving = await routing();
  await expect(client.endpoint(ep).rollback({ to: 'v1' })).rejects.toThrow(
    /rollback of endpoint versions to v1 refused: it does not accept what clients of v7 send: input token_ids \(INT64 \[-1, 8\]\) was removed; new required input features \(FP32 \[-1, 4\]\)/,
  );
  expect(await routing()).toEqual(serving);
  expect((await client.endpoint(ep).status()).stable?.version).toBe('v7');
});

test('modelship versions lists every version with its digest, pass, source, periods, verdicts, aliases and report', async () => {
  const json = await cli('versions', ep, '--json');
  expect(json.code).toBe(0);
  const versions = JSON.parse(json.stdout) as EndpointVersion[];
  expect(versions.map((v) => [v.version, v.digest, v.serves, v.aliases])).toEqual([
    ['v1', digests.v1, false, ['champion']],
    ['v2', digests.v2, false, []],
    ['v3', digests.v3, false, []],
    ['v4', digests.v2, false, []],
    ['v5', digests.v3, false, []],
    ['v7', expect.stringMatching(/^[0-9a-f]{64}$/), true, []],
  ]);
  const [v1, , , v4, v5, v7] = versions;
  expect(v1).toMatchObject({ pass: 'convert', source: expect.stringMatching(/^store:sources\/[0-9a-f]{64}\.onnx$/), artifactKey: `models/${digests.v1}.onnx` });
  expect(v1?.served).toHaveLength(3); // promoted, rolled back to (--to v1), rolled back to (champion)
  expect(v1?.served.every((p) => p.to !== undefined)).toBe(true);
  expect(v1?.report).toMatch(/reports\/versions\/v1\/report\.html$/);
  expect(v1?.verdicts[0]).toMatch(/^selected: /);
  expect(v4).toMatchObject({
    source: 'version:champion',
    verdicts: expect.arrayContaining(['re-release of v2 (by alias champion)', expect.stringMatching(/^benchmark gate: /)]),
  });
  expect(v4?.verdicts.at(-1)).toBe('stopped serving: rolled back to v1');
  expect(v4?.report).toMatch(/reports\/versions\/v4\/report\.html$/); // a re-release writes its report too
  expect(v5?.report).toMatch(/reports\/versions\/v5\/report\.html$/);
  expect(v5?.source).toBe(`digest:sha256:${digests.v3}`);
  expect(v7?.served).toEqual([{ from: expect.any(String) }]);

  // The endpoint wrote what it keeps to the store, where garbage collection keeps their models.
  const kept = await readDocument(new FsArtifactStore(stack.storeDir), storeKeys.keptVersions(ep), keptVersionsDocument);
  expect(kept).toMatchObject({ endpoint: ep, aliases: { champion: 'v1' } });
  expect(kept?.versions).toEqual(versions.map((v) => ({ version: v.version, digest: v.digest })));

  const table = await cli('versions', ep);
  const lines = table.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^ version +digest +pass +source +served +verdict +aliases +report$/);
  expect(lines[1]).toMatch(new RegExp(`^ v1 +${digests.v1?.slice(0, 12)} +convert +store:sources/.* \\(3×\\) +.* +champion +\\S+report\\.html$`));
  expect(lines.at(-1)).toMatch(/^\*v7 /);
});

test('a plain rollback after a compatible release that added an output: allowed, the lost output recorded', async () => {
  const compatible = { optimize: { enabled: false }, benchmark: { enabled: false }, validate: { allowBreakingChanges: true } };
  await promote({ ...spec('v8', file('classifier')), stages: compatible }); // back to the classifier's inputs after v7
  await promote(spec('v9', file('classifier_scores'))); // v9 adds the output `scores`
  const back = await cli('rollback', ep, '--reason', 'v9 misbehaves', '--by', 'oncall');
  expect(back.stderr).toBe('');
  expect(back.stdout).toMatch(/^rolled back from v9 to v8 by oncall: v9 misbehaves \(.*\); clients of v9 lose: output scores \(FP32 \[-1, 3\]\) was removed$/m);
  expect((await routing())?.versions).toEqual([expect.objectContaining({ version: 'v8', weight: 100 })]);
});

test('a re-release waiting its turn releases what its alias named at admission, though the alias moves before it starts', async () => {
  await client.endpoint(ep).setAlias('next', 'v3');
  const canary = { strategy: 'canary' as const, watch: { duration: 0 }, steps: [{ weight: 50, bake: '1s', analysis: false, approval: { timeout: '120s' } }] };
  const holder = await client.deploy({ ...spec('v10', file('classifier_retrained')), rollout: canary });
  await waitForStatus(holder, (s) => s.rollout?.state === 'awaiting-approval');
  const queued = await client.deploy(spec('v11', 'version:next')); // queued behind v10: resolved now, to v3
  await client.endpoint(ep).setAlias('next', 'v7'); // the embedding model: v10's clients could not use it
  expect(await holder.approve({ by: 'test' })).toMatch(/approved/);
  expect((await holder.result()).outcome).toBe('promoted');
  const result = await queued.result();
  expect({ outcome: result.outcome, failure: result.failure, digest: result.artifact?.digest }).toEqual({
    outcome: 'promoted',
    failure: undefined,
    digest: digests.v3,
  });
  expect(result.stages.find((s) => s.name === 'convert')?.summary).toMatch(/^re-release of v3 \([0-9a-f]{12}, by alias next\)/);

  // v7 (the embedding model) does not accept what v11's clients send: refused, unless forced (recorded).
  await expect(client.endpoint(ep).rollback({ to: 'v7' })).rejects.toThrow(/it does not accept what clients of v11 send/);
  const forced = await cli('rollback', ep, '--to', 'v7', '--force', '--reason', 'clients moved to token_ids', '--by', 'ml-lead');
  expect(forced.stdout).toMatch(/^rolled back from v11 to v7 by ml-lead: clients moved to token_ids \(.*\); IO check skipped \(force\)/m);
  expect((await client.endpoint(ep).status()).stable?.version).toBe('v7');
});
