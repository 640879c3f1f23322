import { afterAll, beforeAll, describe } from "vitest";
import { type DomainApi, domainApi } from "./domain-helpers.js";
import { domainSuite } from "./domain-suite.js";

let d: DomainApi;
beforeAll(async () => {
  d = await domainApi("postgres");
}, 120_000);
afterAll(async () => d?.close());

describe(
  "pools, tasks, chains, skills, context and reports on Postgres with claude-sim",
  { timeout: 120_000 },
  () => domainSuite(() => d),
);
