import { detectSourceFormat } from '../../activities/ingest/sourceFormat';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

describe('a source format read from the file', () => {
  test('each framework by its first bytes', () => {
    expect(detectSourceFormat(bytes('PK\x03\x04archive/data.pkl'))).toBe('pytorch');
    expect(detectSourceFormat(bytes('\x80\x04\x95\x10\x00sklearn'))).toBe('sklearn');
    expect(detectSourceFormat(bytes('{"learner":{"attributes":{}}}'))).toBe('xgboost');
    expect(detectSourceFormat(bytes('{L\x00\x00\x00\x00\x00\x00\x00\x07learner{'))).toBe('xgboost');
    expect(detectSourceFormat(bytes('tree\nversion=v4\nnum_class=3\n'))).toBe('lightgbm');
    expect(detectSourceFormat(bytes('\x08\x08\x12\x12modelship'))).toBe('onnx');
    expect(detectSourceFormat(bytes('{"not": "a model"}'))).toBe('onnx');
    expect(detectSourceFormat(new Uint8Array())).toBe('onnx');
  });

  test('a skops archive is scikit-learn, not PyTorch, though both are zips', () => {
    const zipHead = (entry: string) => {
      const header = Buffer.alloc(30);
      header.writeUInt32BE(0x504b0304, 0);
      header.writeUInt16LE(entry.length, 26);
      return new Uint8Array(Buffer.concat([header, Buffer.from(entry, 'latin1'), Buffer.from('\x93NUMPY', 'latin1')]));
    };
    expect(detectSourceFormat(zipHead('139917134096944.npy'))).toBe('sklearn');
    expect(detectSourceFormat(zipHead('schema.json'))).toBe('sklearn');
    expect(detectSourceFormat(zipHead('archive/data.pkl'))).toBe('pytorch');
    expect(detectSourceFormat(zipHead('model/archive_format'))).toBe('pytorch');
  });
});
