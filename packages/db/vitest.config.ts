import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Starting PGlite (initdb in WebAssembly) takes seconds, and tens of seconds on a busy 2-core
    // machine; several tests start more than one. A limit for hung tests, not a speed check.
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
