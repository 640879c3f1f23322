import type { Database } from "@claude-pool/db";
import type { PoolHost } from "../../src/context.js";

/**
 * The PoolHost the authorization matrix runs with. Procedures over pools, tasks and chains need
 * a real one: set this to build it (A1b: `createPoolHost` with claude-sim). Undefined means the
 * matrix uses a host that throws on use, which is enough for the auth, teams and tokens routers.
 */
export const matrixHost: ((database: Database) => Promise<PoolHost>) | undefined = undefined;
