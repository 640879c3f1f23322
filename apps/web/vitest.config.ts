import { defineProject } from "vitest/config";

export default defineProject({
  ssr: { resolve: { conditions: ["@claude-pool/source", "module", "node", "development|production"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // One engine and one `next start` for every e2e file (built once): see test/e2e/global-setup.ts.
    globalSetup: ["test/e2e/global-setup.ts"],
    // A real browser against a real engine on a busy 2-core machine: be generous, assert on what appears.
    testTimeout: 180_000,
    hookTimeout: 600_000,
    // Browsers are heavy: run the e2e files one after another.
    fileParallelism: false,
  },
});
