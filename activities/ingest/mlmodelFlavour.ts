/**
 * Which of an MLflow model's flavours to convert, and which file holds it: read from its `MLmodel`
 * file (YAML). The spec's declared format picks its flavour; otherwise ONNX first (nothing to
 * convert), then XGBoost, LightGBM, scikit-learn, PyTorch. scikit-learn and LightGBM models may be
 * pickled or skops archives (MLflow 3's default; the converter loads them trusting only the model
 * libraries' types); a pickled PyTorch module is refused when read. Pure.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import type { SourceFormat } from '../../sdk/schemas';

/** The flavour and the file (relative to the model's artifact folder) to convert, or why none fits. */
export type FlavourPick = { format: SourceFormat; flavour: string; file: string } | { refusal: string };

/** The flavours Modelship converts, in the order one is picked when the spec declares no format. */
const FLAVOURS: readonly { format: SourceFormat; flavour: string; file: (conf: FlavourConf) => string }[] = [
  { format: 'onnx', flavour: 'onnx', file: (conf) => conf.data ?? 'model.onnx' },
  { format: 'xgboost', flavour: 'xgboost', file: (conf) => conf.data ?? 'model.xgb' },
  { format: 'lightgbm', flavour: 'lightgbm', file: (conf) => conf.data ?? 'model.lgb' },
  { format: 'sklearn', flavour: 'sklearn', file: (conf) => conf.pickled_model ?? (conf.serialization_format === 'skops' ? 'model.skops' : 'model.pkl') },
  // mlflow.pytorch saves a torch.export program as <model_data>/model.pt2 (serialization_format='pt2'); a pickled module is refused when read.
  { format: 'pytorch', flavour: 'pytorch', file: (conf) => `${conf.model_data ?? 'data'}/model.pt2` },
];

const flavourConf = z
  .object({ data: z.string().optional(), pickled_model: z.string().optional(), model_data: z.string().optional(), serialization_format: z.string().nullish() })
  .passthrough();
type FlavourConf = z.infer<typeof flavourConf>;

const mlmodel = z.object({ flavors: z.record(z.string(), flavourConf.nullable()), run_id: z.string().nullish() }).passthrough();

/** The flavour to convert from an `MLmodel` file's text, for the declared format (if any). */
export function pickFlavour(mlmodelText: string, declared?: SourceFormat): FlavourPick {
  let document: unknown;
  try {
    document = parse(mlmodelText);
  } catch (error) {
    return { refusal: `its MLmodel file is not YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  const parsed = mlmodel.safeParse(document);
  if (!parsed.success) return { refusal: 'its MLmodel file lists no flavors' };
  const flavours = parsed.data.flavors;
  const candidates = FLAVOURS.filter((f) => (declared === undefined || f.format === declared) && f.flavour in flavours);
  const pick = candidates[0];
  if (!pick) {
    const listed = Object.keys(flavours).join(', ') || 'none';
    const wanted = declared ? `${declared} flavour (model.format: ${declared})` : `flavour Modelship converts (${FLAVOURS.map((f) => f.flavour).join(', ')})`;
    return { refusal: `its MLmodel has no ${wanted}; it has ${listed}` };
  }
  const file = pick.file(flavours[pick.flavour] ?? {});
  if (file.split('/').some((part) => part === '..' || part === '') || file.startsWith('/'))
    return { refusal: `its MLmodel names the file ${file}, outside the model` };
  return { format: pick.format, flavour: pick.flavour, file };
}
