import { afterAll, beforeAll } from "vitest";
import { createDb, type Database, PgStore } from "../src/index.js";
import { describeStoreConformance } from "./conformance.js";
import { createScratchPostgres, type ScratchPostgres, truncateAll } from "./helpers/databases.js";

let scratch: ScratchPostgres;
let database: Database;

beforeAll(async () => {
  scratch = await createScratchPostgres("store");
  database = await createDb({ url: scratch.url });
});
afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

describeStoreConformance("Postgres", async () => {
  await truncateAll(database);
  const store = await PgStore.open(database);
  return { store, close: () => store.close() };
});
