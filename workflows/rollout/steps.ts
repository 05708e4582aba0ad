/** The steps a rollout plans, and how a step reads in verdicts and progress lines. Pure. */
import type { PipelineSpec, RolloutStep } from '../../sdk/schemas';

type ProgressiveRollout = Extract<PipelineSpec['rollout'], { strategy: 'canary' | 'blueGreen' }>;

/** The steps a rollout will go through, all pending (a canary that watches after its last step ends with a switch to 100%). */
export function plannedSteps(rollout: ProgressiveRollout, watching = false): RolloutStep[] {
  const pending = { status: 'pending' as const, dryRun: false };
  if (rollout.strategy === 'blueGreen') {
    const preview = rollout.preview;
    return [
      preview.mode === 'shadow' ? { kind: 'shadow' as const, weight: preview.percent, ...pending } : { kind: 'smoke' as const, weight: 0, ...pending },
      { kind: 'switch' as const, weight: 100, ...pending },
    ];
  }
  return [
    ...(rollout.shadow ? [{ kind: 'shadow' as const, weight: rollout.shadow.percent, ...pending }] : []),
    ...(rollout.headerMatch ? [{ kind: 'match' as const, weight: 0, ...pending }] : []),
    ...rollout.steps.map((s) => ({ kind: 'canary' as const, weight: s.weight, status: 'pending' as const, dryRun: s.dryRun })),
    ...(watching ? [{ kind: 'switch' as const, weight: 100, ...pending }] : []),
  ];
}

/** How a step reads in verdicts and progress lines. */
export function describeStep(step: Pick<RolloutStep, 'kind' | 'weight'>): string {
  switch (step.kind) {
    case 'shadow':
      return `shadow of ${step.weight}%`;
    case 'match':
      return 'header-matched canary';
    case 'smoke':
      return 'smoke test';
    case 'switch':
      return 'switch to 100%';
    case 'canary':
      return `canary at ${step.weight}%`;
  }
}
