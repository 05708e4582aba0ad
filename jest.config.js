// Jest: unit tests (no servers) and integration tests (a real Temporal dev server and SeaweedFS per
// jest worker, started once per run by test/support/globalSetup.ts, real worker and gateway processes).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // tests need not repeat the Node 22 notice

const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform,
      testEnvironment: '<rootDir>/test/support/nodeEnvironment.js',
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      transform,
      testEnvironment: '<rootDir>/test/support/nodeEnvironment.js',
      globalSetup: '<rootDir>/test/support/globalSetup.ts',
      globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
      slowTestThreshold: 30,
    },
  ],
  testTimeout: 120000,
  // Two files at a time: an integration file mostly waits (bakes, retries, processes starting), so two
  // share the 2 cores of CI (~70 % busy). Three were tried (jest 804 s instead of ~900 s, cores ~90 %
  // busy), and a fresh-clone run then timed out a pipeline waiting for its stages (retryRollout's reset
  // test: 60 s to reach approval): not worth the flakes. Each jest worker has its own Temporal dev
  // server and S3 server (globalSetup starts one stack per worker), so files never share a task queue
  // or a bucket. `jest -w 1` runs them one at a time, on one stack.
  maxWorkers: 2,
};
