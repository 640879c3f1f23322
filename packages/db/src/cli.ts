import { createDb } from "./client.js";
import { DatabaseUnreachableError, DataDirInUseError, SchemaTooNewError } from "./errors.js";

/**
 * `node --import tsx packages/db/src/cli.ts migrate`: opens the database the engine would use
 * (`DATABASE_URL`, else PGlite in `CLAUDE_POOL_DATA_DIR` or `.claude-pool/data`) and migrates it.
 * Exit codes: 0 done, 1 unreachable or refused, 2 bad usage.
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
    if (
      error instanceof DatabaseUnreachableError ||
      error instanceof SchemaTooNewError ||
      error instanceof DataDirInUseError
    ) {
      process.stderr.write(`claude-pool: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
