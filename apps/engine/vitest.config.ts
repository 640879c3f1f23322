import { defineProject } from "vitest/config";

export default defineProject({
  // Workspace packages resolve to their TypeScript source (the "@claude-pool/source" export
  // condition), so tests need no build; the rest are Vite's server defaults. The engine under test
  // is the built one (dist/cli.js), which globalSetup builds.
  ssr: { resolve: { conditions: ["@claude-pool/source", "module", "node", "development|production"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ["./test/global-setup.ts"],
  },
});
