import type { Command } from "../cli/command.js";

/** Kept apart from the server so `claude-pool --help` does not load the MCP SDK or pool-core. */
export const MCP_USAGE = `Usage: claude-pool mcp [options]

A stdio MCP server for a coordinating Claude session (tools pool_run, pool_fan_out, pool_chain, …).
With --token it drives a pool of a running engine; without, it runs an embedded pool.

Remote (a running engine):
  --url <url>              engine URL (env CLAUDE_POOL_URL, default http://127.0.0.1:4680)
  --token <token>          API token (env CLAUDE_POOL_TOKEN)
  --pool <id|name>         the pool to drive (default: the team's only pool)

Embedded (this process):
  --slots <n>              number of slots (default 2)
  --claude-bin <path>      Claude CLI (env CLAUDE_POOL_BIN; default claude on PATH, else claude-sim)
  --data-dir <dir>         keep tasks in PGlite there (default: in memory)
  --cwd <dir>              working directory of the slots (default: the current one)
  --budget-usd <usd>       the pool's spending cap
  --task-budget-usd <usd>  default reservation per task
  --model <model>          default model
  --permission-mode <m>    default, acceptEdits, auto, bypassPermissions, manual, dontAsk, plan
  --allow-bypass-permissions  needed with --permission-mode bypassPermissions (and by tasks asking for it)
  --system-prompt <text>   appended to every slot's system prompt
  --worktree               give each slot its own git worktree

  -h, --help               show this help

Logs go to stderr; stdout carries the protocol.`;

/** `claude-pool mcp`, loaded on use: the CLI waits at most 30 s for a server, so start-up stays lean. */
export const mcpCommand: Command = {
  summary: "a stdio MCP server for a coordinating Claude session (embedded pool, or a running engine)",
  usage: MCP_USAGE,
  run: async (argv) => (await import("./command.js")).runMcp(argv),
};
