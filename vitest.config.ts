import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // onnxruntime sessions use both cores; running test files in parallel only thrashes them.
    fileParallelism: false,
    pool: 'forks',
    // onnxruntime's telemetry writes outside the project and crashes on long command lines: off in every test process.
    env: { ORT_DISABLE_TELEMETRY: '1' },
  },
});
