import type { DomainApi } from "./domain-helpers.js";

import { orchestrationSuite } from "./domain-orchestration.js";
import { runsSuite } from "./domain-runs.js";

/**
 * The pools, slots, tasks, chains, skills, context and reports routers, run by both the PGlite and
 * the Postgres test files against a real PoolHost driving claude-sim.
 */
export function domainSuite(get: () => DomainApi): void {
  runsSuite(get);
  orchestrationSuite(get);
}
