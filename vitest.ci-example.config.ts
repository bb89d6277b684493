import { defineConfig } from 'vitest/config';

// `npm run test:ci-example`: the slow gitlab-ci-local run of examples/gitlab-ci (.ci/run runs it).
export default defineConfig({
  test: {
    include: ['test/ci-example/run.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
