#!/usr/bin/env node
/**
 * claude-sim entry point: a fake `claude` CLI. Only Node built-ins are loaded so that start-up
 * cost stays negligible next to the pool being measured.
 */

import { appendFileSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { ExitRequest, SimRun } from "./engine.js";
import { Emitter, flushStdio } from "./output.js";
import { extractDirectives, ScriptError, type SimScript } from "./script.js";
import { type RunSetup, StartupError, setup } from "./setup.js";
import { interruptedMessage, type Json } from "./shapes.js";

const startedAt = new Date().toISOString();

function processGroupId(): number | undefined {
  try {
    // /proc/self/stat: "pid (comm) state ppid pgrp ..."; comm may contain spaces or ')'.
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pgid = Number(fields[2]);
    return Number.isInteger(pgid) ? pgid : undefined;
  } catch {
    return undefined;
  }
}

let logged = false;
/** Appends one line per invocation to $CLAUDE_SIM_LOG in a single write (no interleaving). */
function logInvocation(fields: Record<string, unknown>): void {
  const path = process.env.CLAUDE_SIM_LOG;
  if (!path || logged) return;
  logged = true;
  const pgid = processGroupId();
  const line = {
    pid: process.pid,
    ...(pgid !== undefined ? { pgid } : {}),
    ppid: process.ppid,
    argv: process.argv,
    cwd: process.cwd(),
    ...fields,
    startedAt,
  };
  appendFileSync(path, `${JSON.stringify(line)}\n`);
}

async function exit(code: number): Promise<never> {
  await flushStdio();
  process.exit(code);
}

function scriptFor(base: SimScript, prompt: string): { script: SimScript; text: string } {
  const d = extractDirectives(prompt);
  return { script: { ...base, ...d.script }, text: d.text };
}

async function runStreamInput(cfg: RunSetup, run: SimRun): Promise<number> {
  let code = 0;
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    let msg: { type?: unknown; request_id?: unknown; message?: { content?: unknown } };
    try {
      msg = JSON.parse(line);
    } catch {
      process.stderr.write(`Error parsing streaming input line: ${line}\n`);
      return 1;
    }
    if (msg.type === "control_request") {
      const ack = {
        type: "control_response",
        response: { subtype: "success", request_id: msg.request_id, response: {} },
      };
      process.stdout.write(`${JSON.stringify(ack)}\n`);
      continue;
    }
    if (msg.type !== "user") continue;
    const content = msg.message?.content;
    const prompt =
      typeof content === "string"
        ? content
        : Array.isArray(content)
          ? content
              .map((b: { type?: unknown; text?: unknown }) =>
                b.type === "text" && typeof b.text === "string" ? b.text : "",
              )
              .join("\n")
          : "";
    const { script, text } = scriptFor(cfg.baseScript, prompt);
    code = await run.runTurn(prompt, text, script, (content ?? "") as Json);
  }
  return code;
}

async function main(): Promise<void> {
  // Installed first so that a signal during the stdin wait behaves as during a turn.
  process.on("SIGTERM", () => process.exit(143));
  process.on("SIGINT", () => process.exit(0));
  let cfg: Awaited<ReturnType<typeof setup>>;
  try {
    cfg = await setup(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    logInvocation({ error: err.stderr });
    if (err.stdoutLine) process.stdout.write(`${JSON.stringify(err.stdoutLine)}\n`);
    process.stderr.write(`${err.stderr}\n`);
    return exit(err.code);
  }
  if (cfg.kind === "info") {
    process.stdout.write(cfg.stdout);
    return exit(0);
  }
  logInvocation(cfg.log);

  const first = cfg.prompt !== undefined ? scriptFor(cfg.baseScript, cfg.prompt) : undefined;
  const garbage = (first?.script ?? cfg.baseScript).garbage === true;
  const out = new Emitter(cfg.format, cfg.verbose, garbage);
  if (garbage) process.stderr.write("sim-garbage: stderr noise at start\n");
  const run = new SimRun(cfg.engine, out);

  process.removeAllListeners("SIGINT");
  process.on("SIGINT", () => {
    if (cfg.format === "stream-json") {
      process.stdout.write(`${JSON.stringify(interruptedMessage(cfg.engine.facts))}\n`, () =>
        process.exit(0),
      );
    } else {
      process.exit(0);
    }
  });

  try {
    const code = first
      ? await run.runTurn(cfg.prompt ?? "", first.text, first.script)
      : await runStreamInput(cfg, run);
    return exit(code);
  } catch (err) {
    if (err instanceof ExitRequest) return exit(err.code);
    if (err instanceof ScriptError) {
      process.stderr.write(`claude-sim: ${err.message}\n`);
      return exit(2);
    }
    throw err;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `claude-sim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(70);
});
