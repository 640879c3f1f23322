import { createDb } from "./client.js";

/**
 * `pnpm --filter @claude-pool/db db:migrate` (`node --import tsx src/cli.ts migrate`): opens the
 * database the engine would use (`DATABASE_URL`, else PGlite in `CLAUDE_POOL_DATA_DIR` or
 * `.claude-pool/data`, relative paths against the workspace root) and migrates it.
 * Exit codes: 0 done, 1 bad configuration, unreachable or refused, 2 bad usage. Never a stack trace:
 * every failure is one line naming what to change.
 */
async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command !== "migrate") {
    process.stderr.write("usage: claude-pool-db migrate\n");
    return 2;
  }
  try {
    const database = await createDb();
    const applied = database.migration?.applied ?? 0;
    process.stdout.write(`${database.target}: schema up to date (${applied} migration(s) applied)\n`);
    await database.close();
    return 0;
  } catch (error) {
    // Our errors (DB_*) say what to change; anything else still gets one line, not a stack.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`claude-pool: ${message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
