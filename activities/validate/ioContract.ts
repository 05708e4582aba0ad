/** The IO contract: what a new version must keep of the stable version's inputs and outputs. Pure. */
import type { IoChange, IoSignature, TensorSpec } from '../../sdk/schemas';

/**
 * Breaking changes from `stable` to `candidate`: an input that clients send disappears or a new one
 * is required; an output clients read disappears; a datatype changes; a shape changes in rank or in
 * a fixed dimension, or a dynamic dimension becomes fixed. New outputs and newly dynamic dimensions
 * are compatible.
 */
export function breakingChanges(stable: IoSignature, candidate: IoSignature): IoChange[] {
  const changes: IoChange[] = [];
  const byName = (specs: readonly TensorSpec[]) => new Map(specs.map((s) => [s.name, s]));
  const stableInputs = byName(stable.inputs);
  const candidateInputs = byName(candidate.inputs);
  for (const s of stable.inputs) {
    const c = candidateInputs.get(s.name);
    if (!c) changes.push({ kind: 'missing-input', name: s.name, stable: describe(s) });
    else compare(s, c, changes);
  }
  for (const c of candidate.inputs) {
    if (!stableInputs.has(c.name)) changes.push({ kind: 'extra-input', name: c.name, candidate: describe(c) });
  }
  const candidateOutputs = byName(candidate.outputs);
  for (const s of stable.outputs) {
    const c = candidateOutputs.get(s.name);
    if (!c) changes.push({ kind: 'missing-output', name: s.name, stable: describe(s) });
    else compare(s, c, changes);
  }
  return changes;
}

function compare(stable: TensorSpec, candidate: TensorSpec, changes: IoChange[]): void {
  if (stable.datatype !== candidate.datatype) {
    changes.push({ kind: 'datatype', name: stable.name, stable: stable.datatype, candidate: candidate.datatype });
  }
  const shapeBreaks =
    stable.shape.length !== candidate.shape.length ||
    stable.shape.some((d, i) => {
      const c = candidate.shape[i] as number;
      return c !== -1 && c !== d; // fixed → other fixed, or dynamic → fixed
    });
  if (shapeBreaks) changes.push({ kind: 'shape', name: stable.name, stable: `[${stable.shape.join(', ')}]`, candidate: `[${candidate.shape.join(', ')}]` });
}

export function describe(spec: TensorSpec): string {
  return `${spec.datatype} [${spec.shape.join(', ')}]`;
}

/** One line per change, e.g. `input features: shape [-1, 4] → [-1, 5]`. */
export function formatChanges(changes: readonly IoChange[]): string {
  return changes
    .map((c) => {
      switch (c.kind) {
        case 'missing-input':
          return `input ${c.name} (${c.stable}) was removed`;
        case 'extra-input':
          return `new required input ${c.name} (${c.candidate})`;
        case 'missing-output':
          return `output ${c.name} (${c.stable}) was removed`;
        default:
          return `${c.name}: ${c.kind} ${c.stable} → ${c.candidate}`;
      }
    })
    .join('; ');
}
