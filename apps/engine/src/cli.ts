#!/usr/bin/env node
/** The `claude-pool` executable (package bin). */
import { runCli } from "./cli/run-cli.js";

const code = await runCli(process.argv.slice(2));
// Exit explicitly: a command is done when it returns, whatever handles (timers, sockets) linger.
process.exit(code);
