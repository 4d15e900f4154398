import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Workers run the compiled dist/; build it once before the tests.
    globalSetup: ['test/global-setup.ts'],
    // Stress runs take both cores: one test file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
