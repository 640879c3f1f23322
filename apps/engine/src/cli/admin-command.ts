import { createFirstOwner, createPoolAuth, FirstOwnerError } from "@claude-pool/api";
import { z } from "zod";
import { loadAuthSecret } from "../config/engine-files.js";
import { loadServeConfig } from "../config/serve-config.js";
import { openDatabase } from "../engine.js";
import { booleanFlag, parseFlags, stringFlag } from "./args.js";
import { type Command, out } from "./command.js";
import { StartupError, UsageError } from "./usage-error.js";

const usage = `usage: claude-pool admin create --email <email> --password <password> --team <name> [--name <name>] [--json]

Creates the first owner account and their team directly on the configured database (no engine
needs to run; with embedded PGlite, stop the engine first), and prints an owner API token once.

flags:
  --email <email>         the owner's e-mail (their sign-in name)
  --password <password>   8 or more characters
  --team <name>           the team's name
  --name <name>           the owner's display name [default: the e-mail's local part]
  --json                  print one JSON document: { userId, teamId, tokenId, token, email, team }
  --database-url <url>    (env DATABASE_URL) Postgres; unset: embedded PGlite in the data dir
  --data-dir <dir>        (env CLAUDE_POOL_DATA_DIR) [default .claude-pool/data, at the workspace root]`;

const inputSchema = z.object({
  email: z.email({ error: "must be an e-mail address" }),
  password: z.string().min(8, { error: "must be at least 8 characters" }),
  team: z
    .string()
    .trim()
    .min(1, { error: "must not be empty" })
    .max(100, { error: "must be at most 100 characters" }),
  name: z.string().trim().min(1).max(100).optional(),
});

async function create(argv: string[]): Promise<number> {
  const args = parseFlags(argv, {
    email: { type: "string" },
    password: { type: "string" },
    team: { type: "string" },
    name: { type: "string" },
    json: { type: "boolean" },
    "database-url": { type: "string" },
    "data-dir": { type: "string" },
  });
  if (booleanFlag(args, "help")) {
    out(usage);
    return 0;
  }
  for (const required of ["email", "password", "team"]) {
    if (stringFlag(args, required) === undefined) throw new UsageError(`--${required} is required`);
  }
  const parsed = inputSchema.safeParse({
    email: stringFlag(args, "email"),
    password: stringFlag(args, "password"),
    team: stringFlag(args, "team"),
    name: stringFlag(args, "name"),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "input");
    const shown = field === "password" ? "" : ` (got ${JSON.stringify(stringFlag(args, field))})`;
    throw new UsageError(`--${field} ${issue?.message ?? "is invalid"}${shown}`);
  }
  const config = loadServeConfig(args.flags, process.env, process.cwd());
  const database = await openDatabase(config);
  try {
    const auth = createPoolAuth(database, {
      baseURL: "http://127.0.0.1",
      secret: loadAuthSecret(config.dataDir, process.env),
      tokenRateLimit: { timeWindow: 60_000, maxRequests: config.tokenRateLimit },
    });
    const input = parsed.data;
    const created = await createFirstOwner(
      { auth, database },
      {
        email: input.email,
        password: input.password,
        teamName: input.team,
        ...(input.name ? { name: input.name } : {}),
      },
    ).catch((error: unknown) => {
      if (error instanceof FirstOwnerError) throw new StartupError(error.message);
      throw error;
    });
    if (booleanFlag(args, "json")) {
      out(JSON.stringify({ ...created, email: input.email.toLowerCase(), team: input.team }));
    } else {
      out(`created ${input.email.toLowerCase()}, owner of team "${input.team}" (team id ${created.teamId})`);
      out("owner API token (shown once; only its hash is stored):");
      out(created.token);
      out(
        `sign in with that e-mail and password in the dashboard, or use the token: CLAUDE_POOL_TOKEN=<token>`,
      );
    }
    return 0;
  } finally {
    await database.close();
  }
}

export const adminCommand: Command = {
  summary: "admin create: the first owner account, team and owner API token",
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "create") return create(rest);
    if (sub === undefined || sub === "--help" || sub === "-h") {
      if (sub === undefined) throw new UsageError("a subcommand is required");
      out(usage);
      return 0;
    }
    throw new UsageError(`unknown subcommand "${sub}"`);
  },
};
