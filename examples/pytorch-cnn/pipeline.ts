/**
 * A small PyTorch CNN (a `torch.export` archive) converted with torch.onnx's dynamo exporter,
 * optimized per target: the CPU gets graph optimization and int8, the GPU graph optimization and
 * fp16. Run with `bin/modelship deploy examples/pytorch-cnn/pipeline.ts --wait`.
 */
import { definePipeline } from '../../sdk';

export default definePipeline({
  endpoint: 'digits-cnn',
  version: 'v1',
  model: {
    name: 'small-cnn',
    source: '../models/pytorch_cnn.pt2', // built by examples/models/makeFrameworkModels.py
    format: 'pytorch',
    task: 'classifier',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 1, 8, 8] }],
  },
  targets: ['cpu'],
  stages: {
    convert: { opset: 18, golden: { samples: 64 } },
    optimize: { passes: { cpu: ['graph', 'int8'], gpu: ['graph', 'fp16'] } },
    validate: { evaluation: { source: '../models/pytorch_eval.npz', labels: 'labels', maxAccuracyDrop: 0.02 } },
    benchmark: { batchSizes: [1, 32], windowRuns: 30, budget: '5s' },
  },
  rollout: { strategy: 'direct', timeout: '60s' },
});
