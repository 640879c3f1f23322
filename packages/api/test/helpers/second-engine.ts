import { createDb } from "@claude-pool/db";
import { createPoolHost } from "../../src/host/index.js";
import type { PoolHost } from "../../src/host-port.js";
import { type DomainApi, hostOptions } from "../domain-helpers.js";
import { PG_ADMIN_URL } from "./databases.js";

/**
 * A second engine ("engine-b") on the Postgres database of a `domainApi("postgres")`: its own
 * connections, store and LISTEN, started; `stop()` stops it with no grace and closes its database.
 */
export async function startSecondEngine(
  d: DomainApi,
  leaseMs: number,
): Promise<{ host: PoolHost; stop(): Promise<void> }> {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = new URL(d.api.database.target).pathname;
  const database = await createDb({ url: url.toString(), maxConnections: 4 });
  const host = await createPoolHost(hostOptions(database, d.dir, "engine-b", { leaseMs }));
  await host.start();
  return {
    host,
    async stop() {
      await host.stop({ graceMs: 0 });
      await database.close();
    },
  };
}
