/**
 * The pure parts of an endpoint's versions: naming a version (by name, alias or digest), the source
 * forms of a re-release, the IO-contract comparison a rollback makes, and the `versions` table.
 */
import { ioContractRefusal, rollbackIoCheck } from '../../activities/rollout/returnTarget';
import { describeServed, versionsTable } from '../../cli/versionsView';
import type { EndpointVersion } from '../../sdk/client';
import { isLocalLocation, knownArtifactRef, pipelineSpec, type EndpointState, type IoSignature, type VersionRecord } from '../../sdk/schemas';
import { aliasesOf, resolveKnownArtifact, resolveVersionRef } from '../../sdk/versionRefs';

const digest = (c: string): string => c.repeat(64);

function record(version: string, d: string, extra: Partial<VersionRecord> = {}): VersionRecord {
  return {
    version,
    digest: d,
    artifactKey: `models/${d}.onnx`,
    sizeBytes: 100,
    pass: 'convert',
    source: `store:sources/${d}.onnx`,
    served: [{ from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' }],
    verdicts: ['promoted by direct rollout'],
    ...extra,
  };
}

const state: Pick<EndpointState, 'endpoint' | 'versions' | 'aliases'> = {
  endpoint: 'iris',
  versions: [record('v1', digest('a')), record('v2', digest('b')), record('v3', digest('a'))],
  aliases: { champion: 'v2', stale: 'v0', v1: 'v2' },
};

describe('resolving a version reference', () => {
  test('a version name, then an alias (a version name wins over an alias of the same spelling)', () => {
    expect(resolveVersionRef(state, 'v2')).toEqual({ record: state.versions?.[1] });
    expect(resolveVersionRef(state, 'champion')).toEqual({ record: state.versions?.[1], via: 'alias champion' });
    expect(resolveVersionRef(state, 'v1')).toEqual({ record: state.versions?.[0] });
  });

  test('unknown names and aliases of dropped versions are refused with what the endpoint knows', () => {
    expect(resolveVersionRef(state, 'v9')).toEqual({ refused: 'endpoint iris has no version or alias v9; it knows v1, v2, v3, champion, stale, v1' });
    expect(resolveVersionRef(state, 'stale')).toEqual({ refused: 'alias stale names v0, which endpoint iris no longer keeps' });
    expect(resolveVersionRef({ endpoint: 'new' }, 'v1')).toEqual({ refused: 'endpoint new has no version or alias v1; it has recorded no versions yet' });
  });

  test('a digest names the latest version served with that artifact', () => {
    expect(resolveKnownArtifact(state, { kind: 'digest', digest: digest('a') })).toEqual({ record: state.versions?.[2], via: 'digest aaaaaaaaaaaa' });
    const refused = resolveKnownArtifact(state, { kind: 'digest', digest: digest('c') });
    expect('refused' in refused && refused.refused).toMatch(/^no version of endpoint iris has artifact sha256:cccccccccccc \(only a version validated/);
    expect(resolveKnownArtifact(state, { kind: 'version', ref: 'champion' })).toEqual({ record: state.versions?.[1], via: 'alias champion' });
  });

  test('the aliases of a version, sorted', () => {
    expect(aliasesOf(state, 'v2')).toEqual(['champion', 'v1']);
    expect(aliasesOf(state, 'v3')).toEqual([]);
  });
});

describe('re-release sources', () => {
  const spec = (source: string) => pipelineSpec.safeParse({ apiVersion: 'modelship/v1', endpoint: 'iris', version: 'v4', model: { source } });

  test('version: and digest:sha256: name a known artifact, and are never uploaded as local files', () => {
    expect(knownArtifactRef('version:champion')).toEqual({ kind: 'version', ref: 'champion' });
    expect(knownArtifactRef(`digest:sha256:${digest('a')}`)).toEqual({ kind: 'digest', digest: digest('a') });
    expect(knownArtifactRef('models/x.onnx')).toBeUndefined();
    expect(knownArtifactRef('digest:sha256:abc')).toBeUndefined();
    expect(isLocalLocation('version:v1')).toBe(false);
    expect(isLocalLocation(`digest:sha256:${digest('a')}`)).toBe(false);
    expect(isLocalLocation('model.onnx')).toBe(true);
  });

  test('the spec accepts both forms', () => {
    expect(spec('version:v1').success).toBe(true);
    expect(spec(`digest:sha256:${digest('a')}`).success).toBe(true);
    expect(spec('s3://bucket/key.onnx').success).toBe(true);
  });
});

describe('the IO contract a rollback keeps', () => {
  const io = (input: string, shape: number[], datatype = 'FP32'): IoSignature => ({
    inputs: [{ name: input, datatype, shape }] as IoSignature['inputs'],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }] as IoSignature['outputs'],
  });

  test('the same inputs (dynamic axes included) are no reason to refuse', () => {
    expect(ioContractRefusal(io('features', [-1, 4]), io('features', [-1, 4]), 'v3')).toBeUndefined();
  });

  test('another input name, datatype or shape is refused, saying what clients send', () => {
    expect(ioContractRefusal(io('features', [-1, 4]), io('input', [-1, 4]), 'v3')).toBe(
      "its IO contract differs from v3's, which clients send: input features (FP32 [-1, 4]) was removed; new required input input (FP32 [-1, 4])",
    );
    expect(ioContractRefusal(io('features', [-1, 4]), io('features', [-1, 4], 'FP64'), 'v3')).toMatch(/features: datatype FP32 → FP64/);
    expect(ioContractRefusal(io('features', [-1, 4]), io('features', [1, 4]), 'v3')).toMatch(/features: shape \[-1, 4\] → \[1, 4\]/);
  });

  test('a rollback compares what clients send: an output the target lacks is a warning, not a refusal', () => {
    const serving = {
      ...io('features', [-1, 4]),
      outputs: [...io('features', [-1, 4]).outputs, { name: 'scores', datatype: 'FP32', shape: [-1, 3] }],
    } as IoSignature;
    expect(ioContractRefusal(serving, io('features', [-1, 4]), 'v2')).toMatch(/output scores \(FP32 \[-1, 3\]\) was removed/);
    expect(rollbackIoCheck(serving, io('features', [-1, 4]), 'v2')).toEqual({ warnings: ['clients of v2 lose: output scores (FP32 [-1, 3]) was removed'] });
    expect(rollbackIoCheck(io('features', [-1, 4]), io('features', [-1, 4]), 'v2')).toEqual({ warnings: [] });
  });

  test('a rollback is refused when the target does not accept the inputs clients send', () => {
    expect(rollbackIoCheck(io('features', [-1, 4]), io('features', [1, 4]), 'v2')).toEqual({
      refusal: 'it does not accept what clients of v2 send: features: shape [-1, 4] → [1, 4]',
      warnings: [],
    });
    expect(rollbackIoCheck(io('features', [-1, 4]), io('input', [-1, 4]), 'v2').refusal).toMatch(/input features \(FP32 \[-1, 4\]\) was removed/);
  });
});

describe('the versions table', () => {
  const versions: EndpointVersion[] = [
    { ...record('v1', digest('a'), { report: 'file:///store/reports/iris/v1/report.html' }), aliases: ['champion'], serves: false },
    {
      ...record('v2', digest('b'), {
        served: [{ from: '2026-01-02T00:00:00.000Z' }],
        verdicts: ['re-release of v1', 'promoted by canary rollout'],
        source: 'version:champion',
      }),
      aliases: [],
      serves: true,
    },
  ];

  test('one row per version: digest short, pass, source, served, last verdict, aliases, report; * marks what serves', () => {
    const lines = versionsTable('iris', versions).split('\n');
    expect(lines[0]).toMatch(/^ version +digest +pass +source +served +verdict +aliases +report$/);
    expect(lines[1]).toMatch(
      /^ v1 +aaaaaaaaaaaa +convert +store:sources\/a+\.onnx +2026-01-01T00:00:00.000Z – 2026-01-02T00:00:00.000Z +promoted by direct rollout +champion +file:\/\/\/store/,
    );
    expect(lines[2]).toMatch(/^\*v2 +bbbbbbbbbbbb +convert +version:champion +2026-01-02T00:00:00.000Z – now +promoted by canary rollout +- +-$/);
  });

  test('an endpoint without versions says so', () => {
    expect(versionsTable('iris', [])).toBe('endpoint iris: no versions recorded yet (a version is recorded when it is promoted)');
  });

  test('a version served more than once shows its latest period and the count', () => {
    expect(describeServed([{ from: 'a', to: 'b' }, { from: 'c' }])).toBe('c – now (2×)');
    expect(describeServed([])).toBe('-');
  });
});
