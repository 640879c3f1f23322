import {
  drainCommand,
  resultCommand,
  runCommand,
  statusCommand,
  submitCommand,
  tokenCommand,
} from "../client-commands/index.js";
import { mcpCommand } from "../mcp/usage.js";
import { adminCommand } from "./admin-command.js";
import type { Command } from "./command.js";
import { serveCommand } from "./serve-command.js";
import { startCommand } from "./start-command.js";

/**
 * Every `claude-pool <name>` command. Client commands (run, submit, result, status, drain, token,
 * mcp) are added here, one line each, from src/client-commands and src/mcp.
 */
export const commands: Record<string, Command> = {
  serve: serveCommand,
  start: startCommand,
  admin: adminCommand,
  run: runCommand,
  submit: submitCommand,
  result: resultCommand,
  status: statusCommand,
  drain: drainCommand,
  token: tokenCommand,
  mcp: mcpCommand,
};
