import { ROLES } from "@claude-pool/api";
import { stringFlag } from "../cli/args.js";
import { StartupError, UsageError } from "../cli/usage-error.js";
import { type ClientCall, clientCall, printJson } from "./common.js";
import { table } from "./format.js";

/** The team a token command means: `--team` (id or name), or the only team the caller is in. */
async function teamOf(c: ClientCall): Promise<{ id: string; name: string }> {
  const ref = stringFlag(c.args, "team");
  const me = await c.call(() => c.client.auth.me.query());
  if (ref === undefined) {
    if (me.teams.length === 1 && me.teams[0]) return me.teams[0];
    throw new UsageError(
      `--team is required: you are in ${me.teams.length} teams (${me.teams.map((t) => t.name).join(", ")})`,
    );
  }
  const team = me.teams.find((t) => t.id === ref || t.name === ref || t.slug === ref);
  if (!team) throw new StartupError(`no team "${ref}" reachable with this token`);
  return team;
}

/** `token create|list|revoke`. */
export async function runToken(argv: string[], usage: string): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    if (sub === undefined) throw new UsageError("a subcommand is required: create, list or revoke");
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (sub === "create") {
    const c = clientCall(rest, {
      team: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
    });
    if (!c) return help(usage);
    const role = stringFlag(c.args, "role") ?? "member";
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`--role: expected one of ${ROLES.join(", ")}, got "${role}"`);
    }
    const name = stringFlag(c.args, "name");
    if (name === undefined || name.trim() === "")
      throw new UsageError("--name is required: what the token is for");
    const team = await teamOf(c);
    const created = await c.call(() =>
      c.client.tokens.create.mutate({ teamId: team.id, name, role: role as (typeof ROLES)[number] }),
    );
    if (c.json) printJson(created);
    else {
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(
        `token ${created.id} (${created.role} in ${team.name}): shown once, keep it safe\n`,
      );
    }
    return 0;
  }
  if (sub === "list") {
    const c = clientCall(rest, { team: { type: "string" } });
    if (!c) return help(usage);
    const team = await teamOf(c);
    const tokens = await c.call(() => c.client.tokens.list.query({ teamId: team.id }));
    if (c.json) printJson({ teamId: team.id, tokens });
    else
      process.stdout.write(
        `${table(
          ["ID", "NAME", "ROLE", "STARTS", "CREATED", "LAST USED", "REVOKED"],
          tokens.map((t) => [
            t.id,
            t.name ?? "-",
            t.role ?? "-",
            t.start ?? "-",
            t.createdAt,
            t.lastUsedAt ?? "never",
            t.revoked ? "yes" : "no",
          ]),
        )}\n`,
      );
    return 0;
  }
  if (sub === "revoke") {
    const c = clientCall(rest, {}, 1);
    if (!c) return help(usage);
    const id = c.args.positionals[0];
    if (!id) throw new UsageError("a token id is required: claude-pool token revoke <id>");
    const r = await c.call(() => c.client.tokens.revoke.mutate({ id }));
    if (c.json) printJson(r);
    else process.stdout.write(`token ${id} revoked\n`);
    return 0;
  }
  throw new UsageError(`unknown subcommand "${sub}": expected create, list or revoke`);
}

function help(usage: string): number {
  process.stdout.write(`${usage}\n`);
  return 0;
}
