/**
 * The endpoint's versions and aliases, kept in its state (and so carried through continue-as-new):
 * each promoted version with its artifact, pass, source, when it served and its final verdicts;
 * the `setAlias` Update; what a re-release's source names; the copy written to the store for garbage
 * collection ({@link publishVersions}). Deterministic; the bookkeeping is guarded by
 * {@link ENDPOINT_KEEPS_VERSIONS} (and the store copy by {@link ENDPOINT_PUBLISHES_VERSIONS}) so
 * histories recorded before them replay unchanged.
 */
import { log, patched, setHandler } from '@temporalio/workflow';
import { setAliasUpdate, type KnownArtifact, type SetAliasRequest } from '../../sdk/definitions';
import { knownArtifactRef } from '../../sdk/knownArtifactRef';
import type { DeploymentResult, PipelineSpec, VersionRecord } from '../../sdk/schemas';
import { resolveKnownArtifact, resolveVersionRef } from '../../sdk/versionRefs';
import type { EndpointContext } from './endpointContext';
import { routedPicksOf } from '../../sdk/targetPicks';

/** Patch id: the endpoint keeps its versions (and aliases) in its state. */
export const ENDPOINT_KEEPS_VERSIONS = 'endpoint-keeps-versions';

/** Patch id: the endpoint writes its kept versions and aliases to the store (`endpoints/<name>/versions.json`) when they change. */
export const ENDPOINT_PUBLISHES_VERSIONS = 'endpoint-publishes-versions';

/** Versions kept (the oldest that holds no alias drops off first). */
const VERSIONS_LIMIT = 50;

/** An alias is spelled like a version name. */
const ALIAS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Records a promoted version (replacing an earlier record of the same name) and that it now serves. */
export function recordPromotion(ctx: EndpointContext, spec: PipelineSpec, result: DeploymentResult, workflowId: string, release?: KnownArtifact): void {
  if (!patched(ENDPOINT_KEEPS_VERSIONS) || !result.artifact) return;
  const versions = (ctx.state.versions ??= []);
  const selected = result.candidates.find((c) => c.selected && c.artifact?.digest === result.artifact?.digest);
  const gates = result.benchmarks.flatMap((b) => (b.gate ? [`benchmark gate: ${b.gate.verdict}`] : []));
  const steps = result.rollout?.steps.filter((s) => s.verdict).length ?? 0;
  const record: VersionRecord = {
    version: spec.version,
    digest: result.artifact.digest,
    artifactKey: result.artifact.key,
    sizeBytes: result.artifact.sizeBytes,
    pass: release?.pass ?? selected?.pass ?? 'convert',
    ...(result.picks ? { picks: result.picks } : {}),
    source: spec.model.source,
    ...(spec.serving ? { serving: spec.serving } : {}),
    workflowId,
    served: [],
    verdicts: [
      ...(release ? [`re-release of ${release.version}${release.via ? ` (by ${release.via})` : ''}`] : []),
      ...(selected?.verdict ? [selected.verdict] : []),
      ...gates,
      `promoted by ${result.rollout?.strategy ?? 'direct'} rollout${steps > 0 ? ` (${steps} analysed step(s) passed)` : ''}`,
    ],
    ...(result.report ? { report: result.report.uri } : {}),
  };
  const index = versions.findIndex((v) => v.version === spec.version);
  if (index >= 0) versions.splice(index, 1);
  versions.push(record);
  while (versions.length > VERSIONS_LIMIT) {
    const aliased = new Set(Object.values(ctx.state.aliases ?? {}));
    const drop = versions.findIndex((v) => !aliased.has(v.version) && v.version !== spec.version);
    versions.splice(drop >= 0 ? drop : 0, 1);
  }
  markServing(ctx, spec.version);
}

/** `version` serves from now on: its period opens, any other open period closes (with `verdict` for the one it replaces). */
export function markServing(ctx: EndpointContext, version: string, verdict?: string): void {
  if (!ctx.state.versions || !patched(ENDPOINT_KEEPS_VERSIONS)) return;
  const now = new Date().toISOString();
  for (const record of ctx.state.versions) {
    const open = record.served[record.served.length - 1];
    if (record.version !== version && open && open.to === undefined) {
      open.to = now;
      if (verdict) record.verdicts.push(verdict);
    }
  }
  const target = ctx.state.versions.find((v) => v.version === version);
  if (target && (target.served.length === 0 || target.served[target.served.length - 1]?.to !== undefined)) target.served.push({ from: now });
}

/** For a deployment whose source is `version:` or `digest:`: the artifact it names, or why it cannot be re-released. */
export function knownArtifactFor(ctx: EndpointContext, spec: PipelineSpec): { release?: KnownArtifact; refused?: string } {
  const ref = knownArtifactRef(spec.model.source);
  if (!ref) return {};
  const resolved = resolveKnownArtifact(ctx.state, ref);
  if ('refused' in resolved) return { refused: resolved.refused };
  const { record, via } = resolved;
  return {
    release: {
      version: record.version,
      digest: record.digest,
      key: record.artifactKey,
      sizeBytes: record.sizeBytes,
      pass: record.pass,
      ...(record.picks ? { picks: record.picks } : {}),
      ...(via ? { via } : {}),
    },
  };
}

/**
 * Writes the kept versions and aliases to the store, so garbage collection keeps their models. A
 * failure (after the activity's retries) is logged, not fatal: the next change writes them again.
 */
export async function publishVersions(ctx: EndpointContext): Promise<void> {
  if (!ctx.state.versions || !patched(ENDPOINT_PUBLISHES_VERSIONS)) return;
  try {
    await ctx.acts.writeKeptVersions({
      endpoint: ctx.name,
      versions: ctx.state.versions.map((v) => ({ version: v.version, digest: v.digest, ...routedPicksOf(v.picks) })),
      aliases: { ...(ctx.state.aliases ?? {}) },
    });
  } catch (error) {
    log.warn('the kept versions could not be written to the store', { endpoint: ctx.name, error: String(error) });
  }
}

export function registerAliases(ctx: EndpointContext): void {
  setHandler(setAliasUpdate, (request) => setAlias(ctx, request), {
    validator: ({ alias, version }: SetAliasRequest) => {
      if (!ALIAS_NAME.test(alias)) throw new Error(`alias "${alias}" must be 1-64 chars of letters, digits, ".", "_" or "-", starting alphanumeric`);
      if (ctx.state.versions?.some((v) => v.version === alias))
        throw new Error(`${alias} is a version of endpoint ${ctx.name}; choose an alias that is not a version name`);
      const resolved = resolveVersionRef(ctx.state, version);
      if ('refused' in resolved) throw new Error(`${resolved.refused} (an alias names a version that passed validation and served this endpoint)`);
    },
  });
}

async function setAlias(ctx: EndpointContext, { alias, version, by }: SetAliasRequest): Promise<string> {
  const resolved = resolveVersionRef(ctx.state, version);
  if ('refused' in resolved) throw new Error(resolved.refused);
  const aliases = (ctx.state.aliases ??= {});
  const before = aliases[alias];
  aliases[alias] = resolved.record.version;
  ctx.show();
  await publishVersions(ctx);
  const moved = before === undefined ? 'set' : before === resolved.record.version ? 'unchanged' : `moved from ${before}`;
  return `alias ${alias} → ${resolved.record.version} on endpoint ${ctx.name} (${moved})${by ? ` by ${by}` : ''}`;
}
