import { randomBytes } from "node:crypto";
import postgres from "postgres";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of its own on the machine's Postgres, dropped after the benchmark. */
export async function scratchDatabase(adminUrl: string, label: string): Promise<ScratchDatabase> {
  const name = `cp_bench_${label}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

export async function postgresVersion(adminUrl: string): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<Array<{ server_version: string }>>`show server_version`;
    return row?.server_version ?? "unknown";
  } catch {
    return "unreachable";
  } finally {
    await sql.end();
  }
}
