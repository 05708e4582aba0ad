/**
 * A paced client for fault tests: one inference request at a time to one gateway replica, one
 * every `intervalMs`, counting answers per version and keeping every failure with its reason. Gentle
 * on a shared machine, and each request stands alone (no pipelining that could hide a failure).
 */
export interface PacedResult {
  sent: number;
  /** Answers per serving version. */
  served: Record<string, number>;
  /** One line per failed request: HTTP status and body, or the network error. */
  failures: string[];
}

export function startPacedTraffic(gatewayUrl: string, endpoint: string, intervalMs = 20): { stop(): Promise<PacedResult> } {
  const result: PacedResult = { sent: 0, served: {}, failures: [] };
  let stopped = false;
  const run = async (): Promise<void> => {
    while (!stopped) {
      const i = result.sent++;
      const body = JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [i % 7, (i % 5) - 2, (i % 3) / 2, 1] }] });
      try {
        const response = await fetch(`${gatewayUrl}/v2/models/${endpoint}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await response.text();
        if (response.ok) {
          const version = response.headers.get('x-modelship-version') ?? 'unknown';
          result.served[version] = (result.served[version] ?? 0) + 1;
        } else result.failures.push(`HTTP ${response.status}: ${text.slice(0, 200)}`);
      } catch (error) {
        result.failures.push(String(error));
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  };
  const done = run();
  return {
    async stop() {
      stopped = true;
      await done;
      return result;
    },
  };
}
