/** The analysis activity: collect the window from the replicas, then judge canary against stable. */
import type { AnalysisCheck, AnalysisConfig, AnalysisVerdict } from '../../sdk/schemas';
import type { ArtifactStore } from '../../store';
import { analyzeWindow } from './analyzeWindow';
import { collectWindow } from './collectWindow';
import { prometheusChecks } from './prometheusChecks';
import { replicaCheck } from './replicaCheck';

export interface AnalyzeInput {
  endpoint: string;
  stableVersion: string;
  /** The canary serving a share of traffic, if any. */
  canaryVersion?: string;
  /** The candidate receiving mirrored traffic, if any. */
  shadowVersion?: string;
  /** Window start (epoch ms): the step's start, after its routing was applied. */
  since: number;
  /**
   * Judge stable on this earlier window instead of the same one (blue/green after the switch, when
   * stable serves nothing): a weaker comparison than a concurrent one, but the only one there is.
   */
  baseline?: { since: number; until: number };
  config: AnalysisConfig;
  /**
   * Replicas the window must come from: fewer (one died during the bake) make the verdict
   * inconclusive. Absent in inputs from workflows started before the check: no check.
   */
  minReplicas?: number;
  /**
   * The windows the rollout plans to judge (steps and watch intervals), which share each significance
   * level: this one tests at `alpha / analyses`. Absent in inputs from workflows started before: 1.
   */
  analyses?: number;
}

const overall = (checks: AnalysisCheck[]): AnalysisVerdict['status'] =>
  checks.some((c) => c.status === 'fail') ? 'fail' : checks.some((c) => c.status === 'inconclusive') ? 'inconclusive' : 'pass';

export async function analyzeCanary(store: ArtifactStore, adminToken: string | undefined, input: AnalyzeInput): Promise<AnalysisVerdict> {
  const window = await collectWindow(store, input.endpoint, input.since, adminToken);
  const baseline = input.baseline ? await collectWindow(store, input.endpoint, input.baseline.since, adminToken, input.baseline.until) : window;
  const empty = { requests: 0, errors: 0, latenciesMs: [], predictions: [] };
  const verdict = analyzeWindow(
    {
      stable: baseline.versions[input.stableVersion] ?? empty,
      canary: input.canaryVersion ? (window.versions[input.canaryVersion] ?? empty) : undefined,
      shadow: input.shadowVersion ? (window.shadow[input.shadowVersion] ?? { compared: 0, failed: 0, rows: 0, agreedRows: 0 }) : undefined,
      since: window.since,
      until: window.until,
      replicas: window.replicas,
    },
    input.config,
    input.analyses,
  );
  const replicas = replicaCheck(window, input.minReplicas ?? 0);
  const custom = input.config.prometheus
    ? await prometheusChecks(input.config.prometheus, {
        endpoint: input.endpoint,
        stable: input.stableVersion,
        canary: input.canaryVersion ?? input.shadowVersion ?? '',
        since: window.since,
        // Now, even when no replica answered (then the window's `until` is its start).
        until: Math.max(window.until, Date.now()),
      })
    : [];
  // Too few replicas leads (a bake extension's note names the first check); a passing count trails.
  const checks = [...(replicas?.status === 'inconclusive' ? [replicas] : []), ...verdict.checks, ...custom, ...(replicas?.status === 'pass' ? [replicas] : [])];
  return { ...verdict, status: overall(checks), checks, ...(window.stale.length ? { staleReplicas: window.stale } : {}) };
}
