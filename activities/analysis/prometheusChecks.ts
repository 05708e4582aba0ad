/**
 * Custom analysis checks against Prometheus: each PromQL query is evaluated (instant query) at the
 * end of the analysis window; every series it returns must lie within the check's bounds.
 */
import { z } from 'zod';
import type { AnalysisCheck, AnalysisConfig, PrometheusCheck } from '../../sdk/schemas';

export interface PrometheusContext {
  endpoint: string;
  stable: string;
  canary: string;
  /** Window (epoch ms). */
  since: number;
  until: number;
}

const queryResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
      }),
      z.object({ resultType: z.literal('scalar'), result: z.tuple([z.number(), z.string()]) }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string() }),
]);

/** Fills `{{endpoint}}`, `{{canary}}`, `{{stable}}` and `{{window}}` in a query. */
export function renderQuery(query: string, context: PrometheusContext): string {
  const windowSeconds = Math.max(1, Math.round((context.until - context.since) / 1000));
  const values: Record<string, string> = { endpoint: context.endpoint, canary: context.canary, stable: context.stable, window: `${windowSeconds}s` };
  return query.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

export async function prometheusChecks(config: NonNullable<AnalysisConfig['prometheus']>, context: PrometheusContext): Promise<AnalysisCheck[]> {
  return Promise.all(config.checks.map((check) => runCheck(config, check, context)));
}

async function runCheck(config: NonNullable<AnalysisConfig['prometheus']>, check: PrometheusCheck, context: PrometheusContext): Promise<AnalysisCheck> {
  const name = `prometheus:${check.name}`;
  const query = renderQuery(check.query, context);
  const url = new URL('api/v1/query', config.url.endsWith('/') ? config.url : `${config.url}/`);
  url.searchParams.set('query', query);
  url.searchParams.set('time', (context.until / 1000).toFixed(3));
  let samples: { series: string; value: number }[];
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(config.timeout) });
    const parsed = queryResponse.safeParse(await response.json());
    if (!parsed.success) return inconclusive(name, `${query}: Prometheus answered HTTP ${response.status} with an unexpected body`);
    const body = parsed.data;
    if (body.status === 'error') return inconclusive(name, `${query}: ${body.errorType ?? 'error'}: ${body.error}`);
    const data = body.data;
    if (data.resultType === 'vector') samples = data.result.map((r) => ({ series: describeSeries(r.metric), value: Number(r.value[1]) }));
    else if (data.resultType === 'scalar') samples = [{ series: 'scalar', value: Number(data.result[1]) }];
    else return inconclusive(name, `${query}: returns a ${data.resultType}; a check needs an instant vector or a scalar`);
  } catch (error) {
    return inconclusive(name, `${query}: Prometheus at ${config.url} did not answer: ${(error as Error).message}`);
  }
  const finite = samples.filter((s) => Number.isFinite(s.value));
  if (finite.length === 0) return inconclusive(name, `${query}: no data${samples.length > 0 ? ' (only NaN or infinite values)' : ''}`);
  const bounds = [check.min !== undefined ? `≥ ${check.min}` : '', check.max !== undefined ? `≤ ${check.max}` : ''].filter(Boolean).join(' and ');
  const outside = finite.filter((s) => (check.max !== undefined && s.value > check.max) || (check.min !== undefined && s.value < check.min));
  const values = Object.fromEntries(finite.slice(0, 20).map((s) => [s.series, s.value]));
  const shown = finite
    .slice(0, 3)
    .map((s) => `${s.series === '{}' ? '' : `${s.series} `}${round(s.value)}`)
    .join(', ');
  return outside.length > 0
    ? {
        name,
        status: 'fail',
        detail: `${outside.map((s) => `${s.series === '{}' ? '' : `${s.series} `}${round(s.value)}`).join(', ')} not ${bounds} (${query})`,
        values,
      }
    : { name, status: 'pass', detail: `${shown} ${bounds}`, values };
}

function inconclusive(name: string, detail: string): AnalysisCheck {
  return { name, status: 'inconclusive', detail, values: {} };
}

function describeSeries(metric: Record<string, string>): string {
  return `{${Object.entries(metric)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

function round(value: number): string {
  return Number(value.toPrecision(4)).toString();
}
