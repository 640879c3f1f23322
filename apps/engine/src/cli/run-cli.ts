import { type Command, err, out } from "./command.js";
import { commands as registry } from "./commands.js";
import { StartupError, UsageError } from "./usage-error.js";

function topUsage(commands: Record<string, Command>): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: claude-pool <command> [flags]\n\ncommands:\n${lines.join("\n")}\n\n'claude-pool <command> --help' shows a command's flags.`;
}

/**
 * Runs one command line and returns the exit code: 0 done, 1 failed (one line saying why, never a
 * stack), 2 usage error (message plus usage on stderr).
 */
export async function runCli(argv: string[], commands: Record<string, Command> = registry): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--help" || name === "-h" || name === "help") {
    out(topUsage(commands));
    return 0;
  }
  if (name === undefined) {
    err(`claude-pool: a command is required\n\n${topUsage(commands)}`);
    return 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    err(`claude-pool: unknown command "${name}"\n\n${topUsage(commands)}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`claude-pool ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof StartupError) {
      err(`claude-pool ${name}: ${error.message}`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    err(`claude-pool ${name}: unexpected error: ${message.split("\n")[0]}`);
    if (process.env.CLAUDE_POOL_DEBUG) err(error instanceof Error ? (error.stack ?? message) : message);
    return 1;
  }
}
