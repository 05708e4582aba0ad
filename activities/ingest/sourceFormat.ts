/**
 * What a model file holds, read from its first bytes when the spec declares no format: a skops
 * archive (a zip whose first entry is a top-level `.npy` array or `schema.json`; MLflow 3's default
 * for scikit-learn) is scikit-learn (a LightGBM model in one needs `model.format: lightgbm`); any
 * other zip archive is PyTorch (`torch.export` `.pt2` and TorchScript `.pt` keep every entry under
 * one folder), a pickle is scikit-learn, XGBoost's JSON or UBJSON model opens with its `learner` object, LightGBM's model
 * text opens with `tree`; anything else is taken for ONNX (which the converter checks). Pure.
 */
import type { SourceFormat } from '../../sdk/schemas';

/** Bytes looked at. */
const HEAD_BYTES = 256;

export function detectSourceFormat(bytes: Uint8Array): SourceFormat {
  const head = Buffer.from(bytes.subarray(0, HEAD_BYTES));
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return isSkopsEntry(firstZipEntry(head)) ? 'sklearn' : 'pytorch';
  // Pickle protocols 2 to 5 open with PROTO (0x80) and the protocol number.
  if (head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return 'sklearn';
  const text = head.toString('latin1');
  if (/^\{[\s\S]{0,32}"?learner/.test(text)) return 'xgboost';
  if (/^tree\r?\nversion=/.test(text)) return 'lightgbm';
  return 'onnx';
}

/** The name of a zip archive's first entry, from its local file header (empty when cut off). */
function firstZipEntry(head: Buffer): string {
  if (head.length < 30) return '';
  const length = head.readUInt16LE(26);
  return head.toString('latin1', 30, Math.min(head.length, 30 + length));
}

/** skops writes its arrays as top-level `<id>.npy` entries, then `schema.json`; PyTorch archives keep entries under a folder. */
function isSkopsEntry(name: string): boolean {
  return name === 'schema.json' || /^[^/]+\.npy$/.test(name);
}
