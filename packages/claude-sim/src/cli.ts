#!/usr/bin/env node
/**
 * claude-sim entry point: a fake `claude` CLI. Only Node built-ins are loaded so that start-up
 * cost stays negligible next to the pool being measured.
 */

import { appendFileSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { ExitRequest, SimRun } from "./engine.js";
import { Emitter, flushStdio } from "./output.js";
import { resolveModel } from "./pricing.js";
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
  if (logged) return;
  logged = true;
  appendLog(fields);
}

/**
 * Stream-json input: one more line per turn, shaped like the invocation line plus `turn` (0, 1,
 * …), with that turn's prompt and the session it continued, so a test can read one entry per
 * task whichever way the CLI was driven.
 */
function logTurn(cfg: RunSetup, turn: number, prompt: string): void {
  const session = cfg.engine.facts.sessionId;
  appendLog({
    ...cfg.log,
    prompt,
    sessionId: session,
    resumedFrom: turn === 0 ? cfg.log.resumedFrom : session,
    turn,
  });
}

function appendLog(fields: Record<string, unknown>): void {
  const path = process.env.CLAUDE_SIM_LOG;
  if (!path) return;
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

interface QueuedTurn {
  prompt: string;
  content: Json;
}

function promptOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((b: { type?: unknown; text?: unknown }) =>
      b.type === "text" && typeof b.text === "string" ? b.text : "",
    )
    .join("\n");
}

/**
 * `--input-format stream-json`: each stdin user message is one turn, run in order. Control
 * requests are answered at once, even mid-turn; `interrupt` stops the running turn (it ends with
 * the real CLI's `error_during_execution` result). The process exits after stdin's EOF once the
 * queued turns are done.
 */
async function runStreamInput(cfg: RunSetup, run: SimRun): Promise<number> {
  const queue: QueuedTurn[] = [];
  let eof = false;
  let badLine: string | undefined;
  let wake: (() => void) | undefined;
  let current: AbortController | undefined;
  let currentScript: SimScript | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  lines.on("line", (line) => {
    if (line.trim() === "" || badLine !== undefined) return;
    let msg: {
      type?: unknown;
      request_id?: unknown;
      request?: { subtype?: unknown; model?: unknown };
      message?: { content?: unknown };
    };
    try {
      msg = JSON.parse(line);
    } catch {
      badLine = line;
      notify();
      return;
    }
    if (msg.type === "control_request") {
      const interrupt = msg.request?.subtype === "interrupt";
      let response: Record<string, unknown> = interrupt ? { still_queued: [] } : {};
      if (msg.request?.subtype === "set_model" && typeof msg.request.model === "string") {
        // As the real CLI: later turns (their init and API calls) use the new model.
        cfg.engine.facts.model = resolveModel(msg.request.model);
        response = { model: cfg.engine.facts.model };
      }
      const ack = {
        type: "control_response",
        response: { subtype: "success", request_id: msg.request_id, response },
      };
      process.stdout.write(`${JSON.stringify(ack)}\n`);
      if (interrupt && !currentScript?.ignoreInterrupt) current?.abort();
      return;
    }
    if (msg.type !== "user") return;
    const content = msg.message?.content;
    queue.push({ prompt: promptOf(content), content: (content ?? "") as Json });
    notify();
  });
  lines.on("close", () => {
    eof = true;
    notify();
  });

  let code = 0;
  let turn = 0;
  for (;;) {
    const next = queue.shift();
    if (badLine !== undefined) {
      process.stderr.write(`Error parsing streaming input line: ${badLine}\n`);
      return 1;
    }
    if (!next) {
      if (eof) return code;
      await new Promise<void>((res) => {
        wake = res;
      });
      continue;
    }
    const { script, text } = scriptFor(cfg.baseScript, next.prompt);
    logTurn(cfg, turn++, next.prompt);
    current = new AbortController();
    currentScript = script;
    code = await run.runTurn(next.prompt, text, script, next.content, current.signal);
    current = undefined;
    currentScript = undefined;
  }
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
