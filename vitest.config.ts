import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Minutes of gitlab-ci-local jobs: `npm run test:ci-example` (vitest.ci-example.config.ts).
    exclude: ['test/ci-example/run.test.ts', '**/node_modules/**'],
    // Builds dist/ from the current sources first (tests spawn the built CLI and fake).
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
