// Jest's node environment runs tests in a separate realm, so typed arrays created by native
// addons (onnxruntime-node) fail `instanceof Float32Array` checks there. Share the host realm's
// typed array constructors with the test realm.
// Integration files also get their jest worker's own Temporal and S3 servers (globalSetup starts one
// stack per worker, `<variable>_<JEST_WORKER_ID>`): set in this worker process's environment before
// the test realm copies it, so the processes a test starts inherit them too.
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

/** TEST_ENV.temporalAddress, TEST_ENV.s3Endpoint and TEST_ENV.temporalUi of test/support/testEnv.ts. */
const STACK_VARIABLES = ['MODELSHIP_TEST_TEMPORAL_ADDRESS', 'MODELSHIP_TEST_S3_ENDPOINT', 'MODELSHIP_TEST_TEMPORAL_UI'];

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    const worker = process.env.JEST_WORKER_ID ?? '1';
    for (const name of STACK_VARIABLES) {
      const own = process.env[`${name}_${worker}`];
      if (own) process.env[name] = own;
    }
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
