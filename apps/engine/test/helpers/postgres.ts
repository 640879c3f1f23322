import { randomBytes } from "node:crypto";
import postgres from "postgres";

/** The machine's Postgres where tests create scratch databases (as packages/db's tests do). */
export const PG_ADMIN_URL = process.env.CLAUDE_POOL_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface ScratchPostgres {
  url: string;
  drop(): Promise<void>;
}

/** An empty database of its own, so test files running at once never collide. */
export async function createScratchPostgres(label: string): Promise<ScratchPostgres> {
  const name = `cp_engine_${label}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
