import { defineProject } from "vitest/config";

export default defineProject({
  // Workspace packages resolve to their TypeScript source (the "@claude-pool/source" export
  // condition), so tests need no build; the rest are Vite's server defaults.
  ssr: { resolve: { conditions: ["@claude-pool/source", "module", "node", "development|production"] } },
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], testTimeout: 30_000 },
});
