/**
 * The gateway's hostile-input corpus (run by test/integration/gatewayHostile.test.ts): a table of
 * malformed, lying, oversized and adversarial requests, REST JSON, the binary tensor data
 * extension, gRPC, URLs, headers, auth and admin routes, each with the status (or gRPC code) and
 * the message fragment the gateway must answer with. The gateway it is aimed at serves `iris`
 * (classifier), `types` (datatypes), `embed` (embedding), and routes `broken` (a corrupt artifact)
 * and `missing` (an absent one); its body limit is {@link LIMIT} and its admin token {@link TOKEN}.
 */
import { postHead, rawHttp, rest, type Answer, type GrpcClient } from './hostileClient';

export const TOKEN = 'hostile-admin-token';
export const LIMIT = 1024 * 1024;
export const FEATURES = [5.1, 3.5, 1.4, 0.2];

/** Where the cases go: set by {@link aim} before any runs. */
const target: { url: string; grpc?: GrpcClient } = { url: '' };

export function aim(url: string, grpc: GrpcClient): void {
  target.url = url;
  target.grpc = grpc;
}

export const infer = (model: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> =>
  rest(target.url, 'POST', `/v2/models/${model}/infer`, body, headers);
const get = (path: string, headers: Record<string, string> = {}): Promise<Answer> => rest(target.url, 'GET', path, undefined, headers);
export const raw = (head: string, more?: Buffer, maxBytes?: number): Promise<Answer> => rawHttp(target.url, head, { more, maxBytes });
const admin = (scheme: string): Record<string, string> => ({ authorization: `${scheme} ${TOKEN}` });
export const json = (value: unknown): string => JSON.stringify(value);

const features = (override: object = {}): object => ({ name: 'features', datatype: 'FP32', shape: [1, 4], data: FEATURES, ...override });
export const irisBody = (override: object = {}, extra: object = {}): string => json({ inputs: [features(override)], ...extra });

const TYPE_SAMPLES: Record<string, unknown[]> = {
  bool: [true, false],
  uint8: [0, 255],
  uint16: [1, 65535],
  uint32: [2, 4294967295],
  uint64: [3, 2 ** 40],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-5, 7],
  int64: [-(2 ** 40), 9],
  fp16: [0.5, -2],
  fp32: [1.5, -0.25],
  fp64: [1e300, -1e-300],
  bytes: ['', 'é\u0000\ud800'],
};
/** A request for every input of the datatypes model, `bytes` (or any input) replaced. */
const typesBody = (override: Record<string, unknown[]> = {}): string =>
  json({
    inputs: Object.entries({ ...TYPE_SAMPLES, ...override }).map(([t, data]) => ({ name: `in_${t}`, datatype: t.toUpperCase(), shape: [1, 2], data })),
  });

/** A binary-extension body: JSON header then blobs, with the header length to announce (or a lie). */
function binary(header: object, blobs: Buffer[], announce?: string): { body: Buffer; headers: Record<string, string> } {
  const head = Buffer.from(json(header));
  return {
    body: Buffer.concat([head, ...blobs]),
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': announce ?? String(head.length) },
  };
}
const fp32Bytes = (values: number[]): Buffer => Buffer.from(Float32Array.from(values).buffer);
const binaryIris = (size: number, blobs: Buffer[], announce?: string, extra: object = {}) =>
  binary({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: size } }], ...extra }, blobs, announce);
const sendBinary = ({ body, headers }: { body: Buffer; headers: Record<string, string> }): Promise<Answer> => infer('iris', body, headers);
const bytesElements = (...items: string[]): Buffer =>
  Buffer.concat(items.flatMap((s) => [Buffer.from(Uint32Array.of(Buffer.byteLength(s)).buffer), Buffer.from(s)]));

export function grpcIris(contents: object, override: object = {}): object {
  return { model_name: 'iris', inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], contents, ...override }] };
}
export const grpcInfer = (request: object): Promise<Answer> => (target.grpc as GrpcClient).call('ModelInfer', request);
const deep = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

export type HostileCase = [group: string, name: string, send: () => Promise<Answer>, code: string, message: RegExp];

export const CASES: HostileCase[] = [
  ['json', 'malformed JSON', () => infer('iris', '{"inputs": ['), '400', /malformed JSON/],
  ['json', 'empty body', () => infer('iris', ''), '400', /malformed JSON/],
  ['json', 'body is null', () => infer('iris', 'null'), '400', /invalid inference request/],
  ['json', 'body is an array', () => infer('iris', '[]'), '400', /invalid inference request/],
  ['json', 'inputs is a number', () => infer('iris', '{"inputs": 5}'), '400', /inputs/],
  ['json', 'no inputs', () => infer('iris', '{"inputs": []}'), '400', /inputs/],
  ['json', 'input without a name', () => infer('iris', irisBody({ name: undefined })), '400', /name/],
  ['json', 'unknown datatype', () => infer('iris', irisBody({ datatype: 'FP128' })), '400', /datatype/],
  ['json', 'negative dimension', () => infer('iris', irisBody({ shape: [-1, 4] })), '400', /shape/],
  ['json', 'fractional dimension', () => infer('iris', irisBody({ shape: [1.5, 4] })), '400', /shape/],
  ['json', 'shape is a string', () => infer('iris', irisBody({ shape: '1,4' })), '400', /shape/],
  ['json', 'huge shape', () => infer('iris', irisBody({ shape: [1e9, 4] })), '400', /needs 4000000000/],
  ['json', 'shape product past 2^53', () => infer('iris', irisBody({ shape: [2 ** 52, 2 ** 52, 4] })), '400', /shape/],
  ['json', 'shape and data disagree', () => infer('iris', irisBody({ data: [1, 2, 3] })), '400', /has 3 element\(s\); shape \[1, 4\] needs 4/],
  ['json', 'wrong rank', () => infer('iris', irisBody({ shape: [4] })), '400', /expects \[-1, 4\]/],
  ['json', 'wrong datatype', () => infer('iris', irisBody({ datatype: 'INT64' })), '400', /datatype INT64; the model expects FP32/],
  ['json', 'NaN as a string', () => infer('iris', irisBody({ data: ['NaN', 1, 2, 3] })), '400', /element 0 is "NaN"; FP32 needs a number/],
  ['json', 'Infinity as a string', () => infer('iris', irisBody({ data: [1, 'Infinity', 2, 3] })), '400', /FP32 needs a number/],
  ['json', 'null element', () => infer('iris', irisBody({ data: [1, null, 2, 3] })), '400', /element 1 is null/],
  ['json', 'boolean element', () => infer('iris', irisBody({ data: [true, 1, 2, 3] })), '400', /FP32 needs a number/],
  ['json', 'object element', () => infer('iris', irisBody({ data: [{}, 1, 2, 3] })), '400', /FP32 needs a number/],
  ['json', 'FP32 overflow', () => infer('iris', irisBody({ data: [1e39, 1, 2, 3] })), '400', /element 0 is 1e\+39; FP32 needs a number within/],
  ['json', 'FP32 negative overflow', () => infer('iris', irisBody({ data: [1, 2, 3, -1e39] })), '400', /element 3 is -1e\+39/],
  [
    'json',
    'ragged nested data',
    () =>
      infer(
        'iris',
        irisBody({
          shape: [2, 4],
          data: [
            [1, 2, 3],
            [4, 5, 6, 7, 8],
          ],
        }),
      ),
    '400',
    /ragged/,
  ],
  ['json', 'leaves beside arrays', () => infer('iris', irisBody({ shape: [2, 4], data: [[1, 2, 3, 4], 5, 6, 7, 8] })), '400', /ragged/],
  ['json', 'nested data the shape does not have', () => infer('iris', irisBody({ data: [[[1, 2]], [[3, 4]]] })), '400', /nested/],
  ['json', 'nested data as the shape says', () => infer('iris', irisBody({ shape: [2, 4], data: [FEATURES, FEATURES] })), '200', /probabilities/],
  ['json', 'zero rows', () => infer('iris', irisBody({ shape: [0, 4], data: [] })), '200', /"shape":\[0,3\]/],
  ['json', 'deep nesting (100k levels)', () => infer('iris', irisBody({}).replace(json(FEATURES), deep(100_000))), '400', /malformed JSON|nested|element/],
  ['json', 'unknown input', () => infer('iris', irisBody({ name: 'feature' })), '400', /unknown input "feature"; the model takes features/],
  ['json', 'duplicate input', () => infer('iris', json({ inputs: [features(), features()] })), '400', /given more than once/],
  ['json', 'neither data nor binary', () => infer('iris', irisBody({ data: undefined })), '400', /neither "data" nor binary data/],
  ['json', 'unknown output', () => infer('iris', irisBody({}, { outputs: [{ name: 'logits' }] })), '400', /unknown output "logits"/],
  ['json', 'empty output name', () => infer('iris', irisBody({}, { outputs: [{ name: '' }] })), '400', /outputs/],
  ['json', 'huge id is echoed', () => infer('iris', irisBody({}, { id: 'i'.repeat(200_000) })), '200', /"id":"iiiiiiii/],
  ['json', 'id is a number', () => infer('iris', irisBody({}, { id: 7 })), '400', /id/],
  ['json', 'unknown top-level fields are ignored', () => infer('iris', irisBody({}, { surprise: { a: 1 } })), '200', /probabilities/],
  ['json', 'content-type text/plain', () => infer('iris', irisBody(), { 'content-type': 'text/plain' }), '200', /probabilities/],
  ['json', 'gzip body', () => infer('iris', irisBody(), { 'content-encoding': 'gzip' }), '415', /send the body uncompressed/],
  ['types', 'every datatype, BYTES empty, NUL and lone surrogate', () => infer('types', typesBody()), '200', /out_bytes/],
  ['types', 'UINT8 out of range', () => infer('types', typesBody({ uint8: [0, 256] })), '400', /UINT8 needs an integer in \[0, 255\]/],
  ['types', 'INT32 fraction', () => infer('types', typesBody({ int32: [1.5, 0] })), '400', /INT32 needs an integer/],
  ['types', 'INT64 past 2^53', () => infer('types', typesBody({ int64: [2 ** 60, 0] })), '400', /INT64 needs an integer/],
  ['types', 'UINT64 negative', () => infer('types', typesBody({ uint64: [-1, 0] })), '400', /non-negative/],
  ['types', 'BOOL as a string', () => infer('types', typesBody({ bool: ['true', false] })), '400', /BOOL needs true or false/],
  ['types', 'BYTES element a number', () => infer('types', typesBody({ bytes: [5, 'x'] })), '400', /BYTES needs a string/],
  ['types', 'FP16 overflow', () => infer('types', typesBody({ fp16: [70000, 0] })), '400', /FP16 needs a number within/],
  [
    'types',
    'a missing input',
    () => infer('types', json({ inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] })),
    '400',
    /missing input/,
  ],
  [
    'binary',
    'good binary request and binary answer',
    () => sendBinary(binaryIris(16, [fp32Bytes(FEATURES)], undefined, { parameters: { binary_data_output: true } })),
    '200',
    /binary_data_size/,
  ],
  ['binary', 'header length past the body', () => sendBinary(binaryIris(16, [fp32Bytes(FEATURES)], '99999')), '400', /does not fit a body of/],
  ['binary', 'negative header length', () => sendBinary(binaryIris(16, [fp32Bytes(FEATURES)], '-5')), '400', /Inference-Header-Content-Length -5/],
  ['binary', 'header length not a number', () => sendBinary(binaryIris(16, [fp32Bytes(FEATURES)], 'abc')), '400', /Inference-Header-Content-Length NaN/],
  ['binary', 'header length cuts the JSON', () => sendBinary(binaryIris(16, [fp32Bytes(FEATURES)], '20')), '400', /malformed JSON/],
  ['binary', 'header length zero', () => sendBinary(binaryIris(16, [fp32Bytes(FEATURES)], '0')), '400', /malformed JSON/],
  ['binary', 'declared size past the blobs', () => sendBinary(binaryIris(64, [fp32Bytes(FEATURES)])), '400', /declares 64 binary bytes but only 16 remain/],
  ['binary', 'bytes after the last input', () => sendBinary(binaryIris(16, [fp32Bytes([...FEATURES, 9])])), '400', /4 binary bytes after the last input/],
  ['binary', 'negative binary_data_size', () => sendBinary(binaryIris(-16, [fp32Bytes(FEATURES)])), '400', /invalid binary_data_size/],
  ['binary', 'size disagrees with the shape', () => sendBinary(binaryIris(12, [fp32Bytes([1, 2, 3])])), '400', /12 bytes; FP32 shape \[1, 4\] needs 16/],
  [
    'binary',
    'huge shape over a few bytes',
    () =>
      sendBinary(binary({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1e9, 4], parameters: { binary_data_size: 16 } }] }, [fp32Bytes(FEATURES)])),
    '400',
    /needs 16000000000/,
  ],
  [
    'binary',
    'data and binary_data_size both',
    () => sendBinary(binary({ inputs: [{ ...features(), parameters: { binary_data_size: 16 } }] }, [fp32Bytes(FEATURES)])),
    '400',
    /both "data" and binary_data_size/,
  ],
  [
    'binary',
    'BYTES length prefix past the end',
    () => infer('types', ...bytesCase(Buffer.concat([bytesElements('a'), Buffer.from(Uint32Array.of(1 << 30).buffer)]))),
    '400',
    /truncated BYTES element/,
  ],
  ['binary', 'BYTES one element short', () => infer('types', ...bytesCase(bytesElements('only one'))), '400', /1 BYTES element\(s\); shape needs 2/],
  ['binary', 'BYTES empty elements', () => infer('types', ...bytesCase(bytesElements('', ''))), '200', /out_bytes/],
  ['url', 'percent-encoded model name', () => infer('%69ris', irisBody()), '200', /probabilities/],
  ['url', 'path traversal in the model name', () => infer('..%2F..%2Fetc%2Fpasswd', irisBody()), '404', /unknown model "..\/..\/etc\/passwd"/],
  ['url', 'dot segments reach admin only with the token', () => raw('GET /v2/models/../../admin/status HTTP/1.1\r\nhost: g\r\n\r\n'), '401', /Bearer <token>/],
  ['url', 'malformed percent-encoding', () => infer('%E0%A4%A', irisBody()), '400', /malformed URL component/],
  ['url', 'NUL in the model name', () => infer('iris%00', irisBody()), '404', /unknown model/],
  ['url', 'an 8 KB model name', () => infer('m'.repeat(8000), irisBody()), '404', /unknown model "mmmm/],
  ['url', 'PUT on infer', () => rest(target.url, 'PUT', '/v2/models/iris/infer', irisBody()), '405', /infer takes POST/],
  ['url', 'DELETE a model', () => rest(target.url, 'DELETE', '/v2/models/iris'), '404', /no route DELETE/],
  ['url', 'unknown path', () => get('/v3/models'), '404', /the inference API is under \/v2/],
  ['url', 'garbage request line', () => raw('HELLO\r\n\r\n'), '400', /Bad Request/],
  ['url', 'Content-Length not a number', () => raw(postHead('/v2/models/iris/infer', { 'content-length': 'many' })), '400', /Bad Request/],
  ['headers', '10k headers', () => raw(postHead('/v2/models/iris/infer', headerFlood(10_000))), '431', /Header Fields Too Large/],
  ['headers', 'one 64 KB header', () => infer('iris', irisBody(), { 'x-big': 'b'.repeat(64 * 1024) }), '431', /^$/],
  ['auth', 'admin without a token', () => get('/admin/status'), '401', /Bearer <token>/],
  ['auth', 'admin with a wrong token', () => get('/admin/status', { authorization: 'Bearer not-the-token' }), '401', /Bearer <token>/],
  ['auth', 'admin with a token of another length', () => get('/admin/status', { authorization: `Bearer ${TOKEN}x` }), '401', /Bearer <token>/],
  ['auth', 'admin with Basic', () => get('/admin/status', admin('Basic')), '401', /Bearer <token>/],
  ['auth', 'admin with the scheme alone', () => get('/admin/status', { authorization: 'Bearer' }), '401', /Bearer <token>/],
  ['auth', 'lowercase bearer', () => get('/admin/status', admin('bearer')), '200', /"replicaId"/],
  ['auth', 'uppercase BEARER', () => get('/admin/status', admin('BEARER')), '200', /"replicaId"/],
  ['admin', 'stats since negative', () => get('/admin/stats/iris?since=-1', admin('Bearer')), '400', /since must be epoch milliseconds/],
  ['admin', 'stats since not a number', () => get('/admin/stats/iris?since=abc', admin('Bearer')), '400', /since must be epoch milliseconds/],
  ['admin', 'stats until before since', () => get('/admin/stats/iris?since=10&until=5', admin('Bearer')), '400', /until must be/],
  ['admin', 'stats of an unknown endpoint', () => get('/admin/stats/..%2F..', admin('Bearer')), '200', /"versions":\{\}/],
  ['admin', 'unknown admin route', () => get('/admin/shutdown', admin('Bearer')), '404', /no admin route GET \/admin\/shutdown/],
  [
    'admin',
    'repository index with a bad ready',
    () => rest(target.url, 'POST', '/v2/repository/index', '{"ready": "yes"}'),
    '400',
    /"ready" must be true or false/,
  ],
  [
    'admin',
    'repository index over its limit',
    () => rest(target.url, 'POST', '/v2/repository/index', `{"x":"${'x'.repeat(8192)}"}`),
    '413',
    /exceeds the limit of 4096/,
  ],
  [
    'admin',
    'repository load refused',
    () => rest(target.url, 'POST', '/v2/repository/models/iris/load', '{}'),
    '405',
    /models load from the routing documents/,
  ],
  ['size', 'body over the limit', () => infer('iris', irisBody({}, { pad: 'x'.repeat(LIMIT) })), '413', /exceeds the limit/],
  [
    'size',
    'declared length over the limit, body never sent',
    () => raw(postHead('/v2/models/iris/infer', { 'content-length': LIMIT * 64 })),
    '413',
    /exceeds the limit/,
  ],
  [
    'size',
    'endless chunked body',
    () => raw(postHead('/v2/models/iris/infer', { 'transfer-encoding': 'chunked' }), chunk(64 * 1024), 8 * LIMIT),
    '413',
    /exceeds the limit/,
  ],
  [
    'ready',
    'infer on a model whose artifact is corrupt',
    () => infer('broken', irisBody()),
    '503',
    /model "broken" is not loaded on this replica: generation 1 failed to load: /,
  ],
  [
    'ready',
    'infer on a model whose artifact is absent',
    () => infer('missing', irisBody()),
    '503',
    /model "missing" is not loaded on this replica: generation 1 failed to load: /,
  ],
  [
    'ready',
    'readiness of a model that failed to load',
    () => get('/v2/models/broken/ready'),
    '503',
    /"ready":false,"reason":"model \\"broken\\" is not loaded/,
  ],
  ['ready', 'metadata of a model that failed to load', () => get('/v2/models/broken'), '503', /is not loaded on this replica/],
  ['ready', 'an unknown model is still a 404', () => infer('nope', irisBody()), '404', /unknown model "nope"/],
  ['ready', 'the replica stays ready', () => get('/v2/health/ready'), '200', /"ready":true/],
  [
    'runtime',
    'token ids out of the vocabulary',
    () => infer('embed', json({ inputs: [{ name: 'token_ids', datatype: 'INT64', shape: [1, 8], data: Array(8).fill(100_000) }] })),
    '400',
    /indices element out of data bounds/,
  ],
  ['grpc', 'unknown model', () => grpcInfer({ ...grpcIris({ fp32_contents: FEATURES }), model_name: 'nope' }), 'grpc NOT_FOUND', /unknown model "nope"/],
  ['grpc', 'wrong datatype', () => grpcInfer(grpcIris({ int64_contents: [1, 2, 3, 4] }, { datatype: 'INT64' })), 'grpc INVALID_ARGUMENT', /datatype INT64/],
  ['grpc', 'shape and contents disagree', () => grpcInfer(grpcIris({ fp32_contents: [1, 2] })), 'grpc INVALID_ARGUMENT', /has 2 element\(s\)/],
  ['grpc', 'negative dimension', () => grpcInfer(grpcIris({ fp32_contents: FEATURES }, { shape: [-1, 4] })), 'grpc INVALID_ARGUMENT', /shape/],
  ['grpc', 'huge shape', () => grpcInfer(grpcIris({ fp32_contents: FEATURES }, { shape: ['4611686018427387904', 4] })), 'grpc INVALID_ARGUMENT', /shape|needs/],
  [
    'grpc',
    'raw contents of the wrong size',
    () => grpcInfer({ ...grpcIris({}), raw_input_contents: [fp32Bytes([1, 2, 3])] }),
    'grpc INVALID_ARGUMENT',
    /12 bytes/,
  ],
  [
    'grpc',
    'raw contents for two inputs, one declared',
    () => grpcInfer({ ...grpcIris({}), raw_input_contents: [fp32Bytes(FEATURES), fp32Bytes(FEATURES)] }),
    'grpc INVALID_ARGUMENT',
    /2 entries for 1 inputs/,
  ],
  [
    'grpc',
    'contents and raw both',
    () => grpcInfer({ ...grpcIris({ fp32_contents: FEATURES }), raw_input_contents: [fp32Bytes(FEATURES)] }),
    'grpc INVALID_ARGUMENT',
    /send every input one way/,
  ],
  [
    'grpc',
    'unknown output',
    () => grpcInfer({ ...grpcIris({ fp32_contents: FEATURES }), outputs: [{ name: 'logits' }] }),
    'grpc INVALID_ARGUMENT',
    /unknown output "logits"/,
  ],
  [
    'grpc',
    'message over the limit',
    () => grpcInfer({ ...grpcIris({ fp32_contents: FEATURES }), id: 'x'.repeat(2 * LIMIT) }),
    'grpc RESOURCE_EXHAUSTED',
    /larger than max/,
  ],
  [
    'grpc',
    'a model that failed to load',
    () => grpcInfer({ ...grpcIris({ fp32_contents: FEATURES }), model_name: 'broken' }),
    'grpc UNAVAILABLE',
    /not loaded on this replica/,
  ],
  ['grpc', 'metadata of an unknown model', () => (target.grpc as GrpcClient).call('ModelMetadata', { name: 'nope' }), 'grpc NOT_FOUND', /unknown model "nope"/],
  ['grpc', 'readiness of a model that failed to load', () => (target.grpc as GrpcClient).call('ModelReady', { name: 'broken' }), 'grpc OK', /"ready":false/],
];

function bytesCase(blob: Buffer): [Buffer, Record<string, string>] {
  const inputs = Object.entries(TYPE_SAMPLES).map(([t, data]) => ({ name: `in_${t}`, datatype: t.toUpperCase(), shape: [1, 2], data }));
  const last = inputs.pop() as { name: string };
  const { body, headers } = binary(
    { inputs: [...inputs, { name: last.name, datatype: 'BYTES', shape: [1, 2], parameters: { binary_data_size: blob.length } }] },
    [blob],
  );
  return [body, headers];
}

function headerFlood(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-h${i}`, 'v']));
}

export function chunk(size: number): Buffer {
  return Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, 0x20), Buffer.from('\r\n')]);
}
