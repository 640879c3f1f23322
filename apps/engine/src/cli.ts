#!/usr/bin/env node
/** The `claude-pool` executable (package bin). */
// First: V8 flags must be set before PGlite's WebAssembly is compiled (see v8-flags.ts).
import "./v8-flags.js";
import { runCli } from "./cli/run-cli.js";

const code = await runCli(process.argv.slice(2));
// Exit explicitly: a command is done when it returns, whatever handles (timers, sockets) linger.
process.exit(code);
