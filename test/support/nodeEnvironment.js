// Jest's node environment runs tests in a separate realm, so typed arrays created by native
// addons (onnxruntime-node) fail `instanceof Float32Array` checks there. Share the host realm's
// typed array constructors with the test realm.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'BigUint64Array',
  'BigInt64Array',
  'Float32Array',
  'Float64Array',
  'Uint8ClampedArray',
  'Buffer',
];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
