import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database, PgStore, queryRows } from "../src/index.js";
import { copyPgliteTemplate, writePgliteTemplate } from "../src/pglite-template.js";
import { MIGRATION_COUNT } from "./helpers/databases.js";

let dir: string;
let template: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "claude-pool-template-"));
  template = join(dir, "template");
  await writePgliteTemplate(template);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function schemaOf(database: Database): Promise<string[]> {
  const columns = await queryRows<{ c: string }>(
    database.db,
    sql`select table_schema || '.' || table_name || '.' || column_name || ' ' || data_type as c
      from information_schema.columns where table_schema in ('public', 'drizzle') order by 1`,
  );
  const indexes = await queryRows<{ c: string }>(
    database.db,
    sql`select indexdef as c from pg_indexes where schemaname = 'public' order by 1`,
  );
  return [...columns, ...indexes].map((r) => r.c);
}

describe("a new PGlite data directory from the build's template", () => {
  it("has the schema initdb plus every migration gives, and keeps what is written across restarts", async () => {
    const copied = await createDb({ dataDir: join(dir, "copied"), pgliteTemplate: template });
    const migrated = await createDb({ dataDir: join(dir, "migrated"), pgliteTemplate: null });
    expect(copied.migration?.applied).toBe(MIGRATION_COUNT);
    expect(migrated.migration?.applied).toBe(MIGRATION_COUNT);
    expect(await schemaOf(copied)).toEqual(await schemaOf(migrated));
    const store = await PgStore.open(copied);
    await store.ensurePool({ id: "p", name: "from the template", config: {}, budgetCapMicros: 5 });
    await store.close();
    await copied.close();
    await migrated.close();

    const reopened = await createDb({ dataDir: join(dir, "copied"), pgliteTemplate: template });
    expect(reopened.migration?.applied).toBe(0);
    expect((await (await PgStore.open(reopened)).getPool("p"))?.name).toBe("from the template");
    await reopened.close();
  });

  it("is not used when another PGlite version made it: initdb runs instead", async () => {
    const other = join(dir, "other");
    cpSync(template, other, { recursive: true });
    const meta = JSON.parse(readFileSync(`${template}.json`, "utf8"));
    writeFileSync(`${other}.json`, JSON.stringify({ ...meta, pglite: "0.0.1" }));
    mkdirSync(join(dir, "untouched"));
    expect(copyPgliteTemplate(join(dir, "untouched"), other)).toBeNull();
    expect(existsSync(join(dir, "untouched", "PG_VERSION"))).toBe(false);
    const database = await createDb({ dataDir: join(dir, "initdb"), pgliteTemplate: other });
    expect(database.migration?.applied).toBe(MIGRATION_COUNT);
    await database.close();
  });
});
