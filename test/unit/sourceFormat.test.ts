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
});
