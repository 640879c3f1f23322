import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    // Starting PGlite (initdb in WebAssembly) takes seconds, more on a busy 2-core CI machine.
    hookTimeout: 60_000,
  },
});
