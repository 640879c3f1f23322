import type { Command } from "../cli/command.js";

/**
 * The client commands (they talk to a running engine through `createPoolClient`). Each module
 * loads when its command runs, so `claude-pool <cmd> --help` and start-up stay quick.
 */

const CONNECTION = `connection (every command):
  --url <url>      engine URL (env CLAUDE_POOL_URL) [default http://127.0.0.1:4680]
  --token <token>  API token (env CLAUDE_POOL_TOKEN)
  --json           print one JSON document instead of text
  -h, --help       show this help

exit codes: 0 done, 1 failed (one line saying why), 2 bad command line (with this usage)`;

const TASK_FLAGS = `task flags:
  --pool <id|name>        the pool (default: the only one the token reaches)
  --model <model>         model for this task (sonnet, haiku, opus, or an id)
  --slot <id|name>        run on this slot
  --role <role>           run on a slot with this role
  --tag <tag>             tag the task (repeatable)
  --priority <n>          -1000..1000, higher runs first
  --max-budget-usd <usd>  cap for this task
  --timeout-ms <ms>       stop the task after this long
  --fresh                 a new Claude session instead of the slot's`;

const usage = {
  run: `usage: claude-pool run "<prompt>" --pool <id|name> [task flags] [--progress]

Runs a prompt on the pool and streams its output as the CLI produces it (stdout), then prints
spend, tokens, model, turns and duration (stderr). While the task waits in the queue or for quota
a progress line shows on stderr when it is a terminal, or with --progress. Exit 1 if the task fails.

${TASK_FLAGS}
  --progress              show the progress line even when stderr is not a terminal

${CONNECTION}`,
  submit: `usage: claude-pool submit "<prompt>" --pool <id|name> [task flags]

Queues a prompt and prints its task id at once (see \`claude-pool result <id> --wait\`).

${TASK_FLAGS}

${CONNECTION}`,
  result: `usage: claude-pool result <taskId> [--wait]

Prints a task's output once it has ended (then spend, tokens, model and duration on stderr);
with --wait, waits for the end. A task still running is reported as such. Exit 1 if it failed.

  --wait   wait until the task has ended

${CONNECTION}`,
  status: `usage: claude-pool status [--pool <id|name>]

A table per pool of its slots (name, role, state, current task and for how long, spend), with the
queue depth and the budget. Without --pool, every pool the token reaches.

  --pool <id|name>   only this pool

${CONNECTION}`,
  drain: `usage: claude-pool drain --pool <id|name>

Cancels the pool's queued tasks, waits for the running ones and prints the totals. The pool takes
new work again afterwards.

  --pool <id|name>   the pool (default: the only one the token reaches)

${CONNECTION}`,
  token: `usage: claude-pool token create --name <name> [--role <role>] [--team <id|name>]
       claude-pool token list [--team <id|name>]
       claude-pool token revoke <tokenId>

API tokens for services, the CLI and MCP: one team, one role (viewer, member, admin, owner; never
above your own). create prints the token once. Needs the admin role.

  --name <name>      what the token is for (create)
  --role <role>      viewer, member, admin or owner [default member] (create)
  --team <id|name>   the team (default: the only one the token reaches)

${CONNECTION}`,
};

function lazy(
  summary: string,
  text: string,
  load: () => Promise<(argv: string[], usage: string) => Promise<number>>,
): Command {
  return { summary, usage: text, run: async (argv) => (await load())(argv, text) };
}

export const runCommand = lazy(
  "run a prompt on a pool, streaming its output",
  usage.run,
  async () => (await import("./run.js")).runRun,
);
export const submitCommand = lazy(
  "queue a prompt and print its task id",
  usage.submit,
  async () => (await import("./run.js")).runSubmit,
);
export const resultCommand = lazy(
  "print a task's result (--wait to wait for it)",
  usage.result,
  async () => (await import("./result.js")).runResult,
);
export const statusCommand = lazy(
  "show pools' slots, queue and budget",
  usage.status,
  async () => (await import("./status.js")).runStatus,
);
export const drainCommand = lazy(
  "cancel a pool's queue and let running tasks finish",
  usage.drain,
  async () => (await import("./status.js")).runDrain,
);
export const tokenCommand = lazy(
  "create, list or revoke API tokens",
  usage.token,
  async () => (await import("./token.js")).runToken,
);
