import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel but keep the machine responsive for SMTP timing.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    // Refuses reads beside the repository (../shared): a bare clone must pass on its own.
    setupFiles: ['test/support/inside-repo.ts'],
    reporters: ['default'],
  },
});
