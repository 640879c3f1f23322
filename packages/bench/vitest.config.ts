import { defineProject } from "vitest/config";

export default defineProject({
  // Workspace packages resolve to their TypeScript source, as in the other packages.
  ssr: { resolve: { conditions: ["@claude-pool/source", "module", "node", "development|production"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000 },
});
