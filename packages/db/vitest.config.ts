import { defineProject } from "vitest/config";

export default defineProject({
  // Workspace packages resolve to their TypeScript source (the "@claude-pool/source" export
  // condition), so tests need no build; the rest are Vite's server defaults.
  ssr: { resolve: { conditions: ["@claude-pool/source", "module", "node", "development|production"] } },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Starting PGlite (initdb in WebAssembly) takes seconds, and tens of seconds on a busy 2-core
    // machine; several tests start more than one. A limit for hung tests, not a speed check.
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
