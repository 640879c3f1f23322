import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Database } from "@claude-pool/db";
import type { PoolHost } from "../../src/context.js";
import { createPoolHost } from "../../src/host/index.js";
import { hostOptions } from "../domain-helpers.js";

/**
 * The PoolHost the authorization matrix runs with: a real one driving claude-sim, so procedures
 * over pools, tasks and chains run for real when the caller is allowed.
 */
export const matrixHost: ((database: Database) => Promise<PoolHost>) | undefined = async (database) => {
  const host = await createPoolHost(
    hostOptions(database, mkdtempSync(path.join(tmpdir(), "claude-pool-matrix-")), "matrix-engine"),
  );
  await host.start();
  return host;
};
