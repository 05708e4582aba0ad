/**
 * The team's own activities, run by the team's worker on its own task queue (`model-governance`):
 * a fairness check on the model Modelship selected, and a change ticket once it serves.
 *
 * The check is a stand-in for a real one (demographic parity): the model scores two groups of inputs
 * (here split by one feature), and for every class the gap between the groups' prediction rates
 * must stay under the endpoint's policy. A breach is a non-retryable failure: Modelship rejects the
 * model with it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import * as ort from 'onnxruntime-node';
import { getModel, type ArtifactStore } from 'modelship/activities';

export interface GovernancePolicy {
  /** Largest tolerated gap in positive-prediction rate between the two groups, per endpoint. */
  maxGap: Record<string, number>;
  /** Where change tickets go (a stand-in for the ticket system). */
  ticketDir: string;
}

export interface FairnessInput {
  endpoint: string;
  version: string;
  digest: string;
}

export interface FairnessReport {
  /** Largest gap over classes, and the class it is for. */
  gap: number;
  worstClass: number;
  maxGap: number;
}

export function createGovernanceActivities(store: ArtifactStore, policy: GovernancePolicy) {
  return {
    async checkFairness(input: FairnessInput): Promise<FairnessReport> {
      const maxGap = policy.maxGap[input.endpoint] ?? 0.2;
      const session = await ort.InferenceSession.create(await getModel(store, input.digest));
      try {
        const rows = 200;
        const features = new Float32Array(rows * 4);
        for (let i = 0; i < rows; i++) {
          // Deterministic standardized inputs in [-2, 2]; group A: first feature below 0.
          features.set([-2 + ((i * 7) % 41) / 10, -2 + ((i * 3) % 41) / 10, -2 + ((i * 11) % 41) / 10, -2 + ((i * 5) % 41) / 10], i * 4);
        }
        const output = await session.run({ features: new ort.Tensor('float32', features, [rows, 4]) });
        const labels = Array.from(output.label?.data as ArrayLike<number | bigint>, Number);
        const inA = (row: number): boolean => (features[row * 4] as number) < 0;
        const rates = (inGroup: (row: number) => boolean, label: number): number => {
          const members = labels.filter((_label, row) => inGroup(row));
          return members.filter((l) => l === label).length / Math.max(1, members.length);
        };
        let gap = 0;
        let worstClass = 0;
        for (const label of new Set(labels)) {
          const classGap = Math.abs(rates(inA, label) - rates((row) => !inA(row), label));
          if (classGap > gap) [gap, worstClass] = [classGap, label];
        }
        if (gap > maxGap) {
          throw ApplicationFailure.nonRetryable(
            `prediction-rate gap ${gap.toFixed(3)} between groups (class ${worstClass}) exceeds ${maxGap}, the policy of ${input.endpoint}`,
            'FairnessCheckFailed',
          );
        }
        return { gap, worstClass, maxGap };
      } finally {
        await session.release();
      }
    },

    async openChangeTicket(input: { endpoint: string; version: string; workflowId: string; summary: string }): Promise<string> {
      await mkdir(policy.ticketDir, { recursive: true });
      const file = path.join(policy.ticketDir, `${input.endpoint}-${input.version}.json`);
      await writeFile(file, JSON.stringify({ ...input, openedAt: new Date().toISOString() }, null, 2));
      return file;
    },
  };
}

export type GovernanceActivities = ReturnType<typeof createGovernanceActivities>;
