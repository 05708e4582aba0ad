/** Tensors ↔ raw little-endian bytes: the one codec for binary tensor data and stored tensor bundles. */
import type { Datatype } from '../sdk/schemas';
import { elementCount, NUMERIC_DATATYPES, type Tensor } from './tensor';

/** Why raw bytes cannot be a tensor of this datatype and shape. */
export class TensorBytesError extends Error {
  override readonly name = 'TensorBytesError';
}

/**
 * Reads a tensor from raw bytes: numeric types little-endian, BOOL one byte each, BYTES as
 * 4-byte little-endian length prefixes each followed by UTF-8 bytes.
 */
export function tensorFromBytes(datatype: Datatype, shape: readonly number[], raw: Uint8Array): Tensor {
  const count = elementCount(shape);
  if (datatype === 'BYTES') {
    const view = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const items: string[] = [];
    let offset = 0;
    while (offset < view.length) {
      if (offset + 4 > view.length) throw new TensorBytesError('truncated BYTES length prefix');
      const length = view.readUInt32LE(offset);
      offset += 4;
      if (offset + length > view.length) throw new TensorBytesError('truncated BYTES element');
      items.push(view.toString('utf8', offset, offset + length));
      offset += length;
    }
    if (items.length !== count) throw new TensorBytesError(`${items.length} BYTES element(s); shape needs ${count}`);
    return { datatype, shape, data: items };
  }
  const { array, bytes } = NUMERIC_DATATYPES[datatype];
  if (raw.byteLength !== count * bytes) {
    throw new TensorBytesError(`${raw.byteLength} bytes; ${datatype} shape [${shape.join(', ')}] needs ${count * bytes}`);
  }
  // Copy into an aligned buffer: a typed array view needs byteOffset to be a multiple of its element size.
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  const data = new array(copy.buffer, 0, count);
  if (datatype === 'BOOL') {
    for (let i = 0; i < count; i++) if (((data as Uint8Array)[i] as number) > 1) throw new TensorBytesError(`BOOL element ${i} is not 0 or 1`);
  }
  return { datatype, shape, data };
}

export function tensorToBytes(t: Tensor): Buffer {
  if (Array.isArray(t.data)) {
    return Buffer.concat(
      t.data.flatMap((s) => {
        const bytes = Buffer.from(s, 'utf8');
        const length = Buffer.alloc(4);
        length.writeUInt32LE(bytes.length);
        return [length, bytes];
      }),
    );
  }
  const view = t.data as Exclude<Tensor['data'], string[]>;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
