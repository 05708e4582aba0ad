// Jest: unit tests (no servers) and integration tests (a real Temporal dev server and SeaweedFS
// started once per run by test/support/globalSetup.ts, real worker and gateway processes).
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
  // Integration tests share one dev server and spawn processes; run files one at a time.
  maxWorkers: 1,
};
