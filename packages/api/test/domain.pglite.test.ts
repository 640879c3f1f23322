import { afterAll, beforeAll, describe } from "vitest";
import { type DomainApi, domainApi } from "./domain-helpers.js";
import { domainSuite } from "./domain-suite.js";

let d: DomainApi;
beforeAll(async () => {
  d = await domainApi("pglite");
}, 120_000);
afterAll(async () => d?.close());

describe(
  "pools, tasks, chains, skills, context and reports on PGlite with claude-sim",
  { timeout: 120_000 },
  () => domainSuite(() => d),
);
