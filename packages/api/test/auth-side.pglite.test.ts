import { afterAll, beforeAll, describe } from "vitest";
import { createTestApi, type TestApi } from "./helpers/harness.js";
import { authSideSuite } from "./suites/auth-side.js";

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi({ database: "pglite" });
}, 120_000);
afterAll(async () => api?.close());

describe("auth, teams and tokens routers on PGlite", () => authSideSuite(() => api));
