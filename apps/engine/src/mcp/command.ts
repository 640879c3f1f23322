import { PERMISSION_MODES, type PermissionMode } from "@claude-pool/core";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { type FlagSpec, parseFlags, stringFlag } from "../cli/args.js";
import { UsageError } from "../cli/usage-error.js";
import { resolveClaudeBinary } from "../config/claude-bin.js";
import type { PoolBackend } from "./backend.js";
import { errorMessage } from "./define.js";
import { createEmbeddedBackend, type EmbeddedOptions } from "./embedded.js";
import { createMcpServer, deferredBackend } from "./server.js";
import { MCP_USAGE } from "./usage.js";

const FLAGS: FlagSpec = {
  url: { type: "string" },
  token: { type: "string" },
  pool: { type: "string" },
  slots: { type: "string" },
  "claude-bin": { type: "string" },
  "data-dir": { type: "string" },
  cwd: { type: "string" },
  "budget-usd": { type: "string" },
  "task-budget-usd": { type: "string" },
  model: { type: "string" },
  "permission-mode": { type: "string" },
  "system-prompt": { type: "string" },
  worktree: { type: "boolean" },
  "allow-bypass-permissions": { type: "boolean" },
};

const EMBEDDED_ONLY = [
  "slots",
  "claude-bin",
  "data-dir",
  "cwd",
  "budget-usd",
  "task-budget-usd",
  "model",
  "permission-mode",
  "system-prompt",
  "worktree",
  "allow-bypass-permissions",
];

export type McpPlan =
  | { mode: "help" }
  | { mode: "remote"; url: string; token: string; pool: string | undefined }
  | { mode: "embedded"; options: EmbeddedOptions; notice: string | undefined };

function usd(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) {
    throw new UsageError(`--${flag}: expected a positive USD amount like 5 or 0.25, got "${value}"`);
  }
  return n;
}

/** Reads the command line and environment into what to start; a mistake is a UsageError naming the flag. */
export function planMcp(argv: string[], env: NodeJS.ProcessEnv, cwd: string): McpPlan {
  const args = parseFlags(argv, FLAGS);
  if (args.flags.help === true) return { mode: "help" };
  const token = stringFlag(args, "token") ?? (env.CLAUDE_POOL_TOKEN || undefined);
  const urlFlag = stringFlag(args, "url");
  if (token !== undefined) {
    const given = EMBEDDED_ONLY.filter((f) => args.flags[f] !== undefined);
    if (given.length > 0) {
      throw new UsageError(
        `--${given[0]} applies to the embedded pool only, not with --token (a running engine)`,
      );
    }
    const url = urlFlag ?? (env.CLAUDE_POOL_URL || "http://127.0.0.1:4680");
    if (!URL.canParse(url) || !/^https?:/.test(url)) {
      throw new UsageError(`--url: expected an http(s) URL like http://127.0.0.1:4680, got "${url}"`);
    }
    return { mode: "remote", url: url.replace(/\/+$/, ""), token, pool: stringFlag(args, "pool") };
  }
  if (urlFlag !== undefined)
    throw new UsageError("--url needs --token (or CLAUDE_POOL_TOKEN): an engine API token");
  if (stringFlag(args, "pool") !== undefined)
    throw new UsageError("--pool needs --token: it names a pool of an engine");

  const slotsText = stringFlag(args, "slots") ?? "2";
  const slots = Number(slotsText);
  if (!/^\d+$/.test(slotsText) || slots < 1 || slots > 64) {
    throw new UsageError(`--slots: expected a whole number from 1 to 64, got "${slotsText}"`);
  }
  const mode = stringFlag(args, "permission-mode");
  if (mode !== undefined && !(PERMISSION_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`--permission-mode: expected one of ${PERMISSION_MODES.join(", ")}, got "${mode}"`);
  }
  const allowBypass = args.flags["allow-bypass-permissions"] === true;
  if (mode === "bypassPermissions" && !allowBypass) {
    throw new UsageError(
      '--permission-mode "bypassPermissions" lets Claude run every tool without asking: it needs --allow-bypass-permissions as well',
    );
  }
  const binFlag = stringFlag(args, "claude-bin");
  const configured = binFlag ?? (env.CLAUDE_POOL_BIN || undefined);
  const bin = resolveClaudeBinary(configured, binFlag ? "--claude-bin" : "CLAUDE_POOL_BIN", env, cwd);
  const budgetUsd = usd("budget-usd", stringFlag(args, "budget-usd"));
  const taskBudgetUsd = usd("task-budget-usd", stringFlag(args, "task-budget-usd"));
  const options: EmbeddedOptions = {
    slots,
    claudeBin: bin.path,
    cwd: stringFlag(args, "cwd") ?? cwd,
    ...(stringFlag(args, "data-dir") !== undefined ? { dataDir: stringFlag(args, "data-dir") } : {}),
    ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    ...(taskBudgetUsd !== undefined ? { taskBudgetUsd } : {}),
    ...(stringFlag(args, "model") !== undefined ? { model: stringFlag(args, "model") } : {}),
    ...(mode !== undefined ? { permissionMode: mode as PermissionMode } : {}),
    ...(stringFlag(args, "system-prompt") !== undefined
      ? { systemPrompt: stringFlag(args, "system-prompt") }
      : {}),
    ...(args.flags.worktree === true ? { worktree: true } : {}),
    ...(allowBypass ? { allowBypassPermissions: true } : {}),
  };
  return { mode: "embedded", options, notice: bin.notice };
}

/** `claude-pool mcp`: serves MCP on stdin/stdout until the client goes away. */
export async function runMcp(argv: string[]): Promise<number> {
  const log = (message: string) => process.stderr.write(`claude-pool mcp: ${message}\n`);
  const plan = planMcp(argv, process.env, process.cwd());
  if (plan.mode === "help") {
    process.stdout.write(`${MCP_USAGE}\n`);
    return 0;
  }
  let ready: Promise<PoolBackend>;
  let label: string;
  if (plan.mode === "embedded") {
    if (plan.notice) log(plan.notice);
    label = `embedded pool (${plan.options.slots} slot${plan.options.slots === 1 ? "" : "s"})`;
    ready = createEmbeddedBackend(plan.options);
  } else {
    label = `${plan.pool ?? "the pool"} at ${plan.url}`;
    ready = import("./remote.js").then((m) => m.createRemoteBackend(plan));
  }
  ready.then(
    (b) => log(`ready: ${b.label}`),
    (error: unknown) => log(`could not start the pool: ${errorMessage(error)}`),
  );
  const backend = deferredBackend(label, ready);
  const server = createMcpServer(backend, log);
  await server.connect(new StdioServerTransport());

  await new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close().catch(() => {});
  await ready.then((b) => b.close()).catch(() => {});
  return 0;
}
