/**
 * The labelled evaluation set as a model sees it (feeds by input name, and the labels), and the
 * accuracy of a model's answers on it. Shared by the accuracy check against fp32 and the behaviour
 * gate's accuracy against the stable version.
 */
import type { TensorSpec } from '../../sdk/schemas';
import type { TensorData, TensorMap } from '../../runtime/tensor';
import { rejection } from '../failures';
import { argmaxRow } from './parity';

/** The feeds of `inputs` and the labels, from the evaluation bundle; a missing array is a rejection. */
export function evaluationFeeds(data: TensorMap, labelsName: string, inputs: readonly TensorSpec[]): { feeds: TensorMap; labels: TensorData } {
  const labels = data[labelsName];
  if (!labels) throw rejection('InvalidDataset', `the evaluation set has no "${labelsName}" array`);
  const feeds: TensorMap = {};
  for (const spec of inputs) {
    const tensor = data[spec.name];
    if (!tensor) throw rejection('InvalidDataset', `the evaluation set has no "${spec.name}" array for input ${spec.name}`);
    feeds[spec.name] = tensor;
  }
  return { feeds, labels: labels.data };
}

/** Share of rows whose predicted class (argmax of the score output, or an integer label output) equals the label. */
export function accuracy(outputs: TensorMap, labels: TensorData, scoreOutput: string | undefined): number | undefined {
  const score = scoreOutput ? outputs[scoreOutput] : undefined;
  const labelOutput = Object.values(outputs).find((t) => t.datatype === 'INT64' && t.shape.length === 1);
  const n = labels.length;
  if (n === 0) return undefined;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const predicted = score ? argmaxRow(score, i, score.shape[1] as number) : labelOutput ? Number(labelOutput.data[i]) : undefined;
    if (predicted === undefined) return undefined;
    if (predicted === Number(labels[i])) correct++;
  }
  return correct / n;
}
