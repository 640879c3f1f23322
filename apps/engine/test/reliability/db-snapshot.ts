import postgres from "postgres";

/**
 * A fingerprint of every table of a database (row count and an md5 of the rows), to prove that a
 * rejected call changed nothing. Tables the engine writes on its own (heartbeats, token request
 * counters, sessions touched by a read) are compared by row count only.
 */
export interface DbSnapshot {
  [table: string]: string;
}

export function createSnapshotter(url: string, countOnly: ReadonlySet<string>) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  return {
    async take(): Promise<DbSnapshot> {
      const tables = await sql<{ name: string }[]>`
        select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
      const out: DbSnapshot = {};
      for (const { name } of tables) {
        const quoted = `"${name.replaceAll('"', '""')}"`;
        const [row] = countOnly.has(name)
          ? await sql.unsafe(`select count(*)::text as fp from ${quoted}`)
          : await sql.unsafe(
              `select count(*)::text || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as fp from ${quoted} t`,
            );
        out[name] = String(row?.fp);
      }
      return out;
    },
    /** Tables whose fingerprint differs between two snapshots. */
    diff(a: DbSnapshot, b: DbSnapshot): string[] {
      return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((t) => a[t] !== b[t]);
    },
    end: () => sql.end(),
  };
}
