/**
 * After a rollback: ask every live replica, by inference, which version answers; all must be `version`.
 * Inputs are synthesized from the model metadata each replica publishes.
 */
import { z } from 'zod';
import { tensorSpec } from '../../sdk/schemas';
import { encodeOutputs } from '../../serving/kserveProtocol';
import { syntheticInputs } from '../runtime';
import { liveReplicas } from './replicas';
import type { ArtifactStore } from '../store';

const metadataResponse = z.object({ inputs: z.array(tensorSpec) });

export interface ServingCheck {
  replicas: number;
  requests: number;
  versions: Record<string, number>;
}

export async function verifyServing(store: ArtifactStore, endpoint: string, version: string, requestsPerReplica = 5): Promise<ServingCheck> {
  const replicas = await liveReplicas(store);
  const versions: Record<string, number> = {};
  let requests = 0;
  for (const replica of replicas) {
    const base = new URL(`/v2/models/${encodeURIComponent(endpoint)}`, replica.url).href;
    const metadata = metadataResponse.parse(await (await fetch(base, { signal: AbortSignal.timeout(5000) })).json());
    const body = JSON.stringify({ inputs: encodeOutputs(syntheticInputs(metadata.inputs, 1)) });
    for (let i = 0; i < requestsPerReplica; i++) {
      const response = await fetch(`${base}/infer`, { method: 'POST', body, signal: AbortSignal.timeout(5000) });
      await response.arrayBuffer();
      const served = response.headers.get('x-modelship-version') ?? `HTTP ${response.status}`;
      versions[served] = (versions[served] ?? 0) + 1;
      requests++;
    }
  }
  const wrong = Object.keys(versions).filter((v) => v !== version);
  if (wrong.length > 0) throw new Error(`after the rollback ${endpoint} still answers from ${wrong.join(', ')} (${JSON.stringify(versions)})`);
  return { replicas: replicas.length, requests, versions };
}
