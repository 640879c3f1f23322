/**
 * Turns argv, env and stdin into a validated run configuration, in the real CLI's validation
 * order (claude-cli.md §9). Every failure is a {@link StartupError} carrying the exact stderr text.
 */

import { randomUUID } from "node:crypto";
import { existsSync, fstatSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CliUsageError, HELP_TEXT, type OptionValue, parseArgs } from "./args.js";
import type { EngineConfig } from "./engine.js";
import type { OutputFormat } from "./output.js";
import { resolveModel } from "./pricing.js";
import { extractDirectives, parseScript, ScriptError, type SimScript } from "./script.js";
import { isUuid, newSession, type SessionRecord, SessionStore, simHome } from "./session.js";
import { DEFAULT_TOOLS, type JsonObject, startupErrorResult } from "./shapes.js";

export class StartupError extends Error {
  override name = "StartupError";
  constructor(
    readonly stderr: string,
    readonly code = 1,
    /** A stream-json line to print on stdout as well (missing --resume). */
    readonly stdoutLine?: JsonObject,
  ) {
    super(stderr);
  }
}

/** `--version`/`--help`: print and exit 0. */
export interface InfoAction {
  kind: "info";
  stdout: string;
}

export interface RunSetup {
  kind: "run";
  format: OutputFormat;
  verbose: boolean;
  inputFormat: "text" | "stream-json";
  engine: EngineConfig;
  /** Script from CLAUDE_SIM_SCRIPT, before prompt directives. */
  baseScript: SimScript;
  /** Text-input prompt (absent in stream-json input mode). */
  prompt?: string;
  /** For the invocation log. */
  log: Record<string, unknown>;
}

const STDIN_WAIT_MS = 3000;
const EFFORTS = ["low", "medium", "high", "xhigh", "max"];

function str(v: OptionValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function list(v: OptionValue | undefined): string[] {
  if (!Array.isArray(v)) return typeof v === "string" ? [v] : [];
  return v.flatMap((s) => s.split(/[\s,]+/)).filter((s) => s !== "");
}

/**
 * Reads piped stdin. An open pipe that delivers nothing (neither data nor EOF) for 3 s is
 * abandoned with the real CLI's warning. A TTY, /dev/null or a closed fd is not read at all.
 */
export async function readStdinPrompt(): Promise<string> {
  let st: ReturnType<typeof fstatSync>;
  try {
    st = fstatSync(0);
  } catch {
    return "";
  }
  if (st.isFile()) return readFileSync(0, "utf8");
  if (!st.isFIFO() && !st.isSocket()) return "";
  const stdin = process.stdin;
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      process.stderr.write(
        "Warning: no stdin data received in 3s, proceeding without it. If piping from a slow command, redirect stdin explicitly: < /dev/null to skip, or wait longer.\n",
      );
      stdin.removeAllListeners("data");
      stdin.removeAllListeners("end");
      stdin.destroy();
      done("");
    }, STDIN_WAIT_MS);
    stdin.on("data", (c: Buffer) => {
      clearTimeout(timer);
      chunks.push(c);
    });
    stdin.on("end", () => {
      clearTimeout(timer);
      done(Buffer.concat(chunks).toString("utf8"));
    });
    stdin.on("error", () => {
      clearTimeout(timer);
      done(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

function readJsonOrFile(value: string, cwd: string): { json?: unknown; missing?: string; invalid?: string } {
  const trimmed = value.trim();
  if (trimmed.startsWith("{")) {
    try {
      return { json: JSON.parse(trimmed) };
    } catch (err) {
      return { invalid: err instanceof Error ? err.message : String(err) };
    }
  }
  const path = resolve(cwd, value);
  if (!existsSync(path)) return { missing: path };
  try {
    return { json: JSON.parse(readFileSync(path, "utf8")) };
  } catch (err) {
    return { invalid: err instanceof Error ? err.message : String(err) };
  }
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export async function setup(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<InfoAction | RunSetup> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    if (err instanceof CliUsageError) throw new StartupError(err.message);
    throw err;
  }
  if (parsed.action === "version") return { kind: "info", stdout: "2.1.332 (Claude Code)\n" };
  if (parsed.action === "help") return { kind: "info", stdout: HELP_TEXT };
  const o = parsed.values;
  const cwd = process.cwd();

  if (o.print !== true) {
    throw new StartupError("claude-sim: only print mode is simulated; pass -p/--print", 2);
  }
  if (parsed.operands.length > 1) {
    throw new StartupError(
      `error: too many arguments. Expected 1 argument but got ${parsed.operands.length}.`,
    );
  }
  const format = (str(o.outputFormat) ?? "text") as OutputFormat;
  const inputFormat = str(o.inputFormat) === "stream-json" ? "stream-json" : "text";
  const verbose = o.verbose === true;
  if (format === "stream-json" && !verbose) {
    throw new StartupError("Error: When using --print, --output-format=stream-json requires --verbose");
  }
  if (inputFormat === "stream-json" && format !== "stream-json") {
    throw new StartupError("Error: --input-format=stream-json requires output-format=stream-json.");
  }

  const modeArg = str(o.permissionMode);
  const bypass = o.dangerouslySkipPermissions === true || modeArg === "bypassPermissions";
  if (bypass && isRoot() && env.IS_SANDBOX !== "1") {
    throw new StartupError(
      "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons",
    );
  }
  const permissionMode =
    o.dangerouslySkipPermissions === true
      ? "bypassPermissions"
      : modeArg === undefined || modeArg === "manual"
        ? "default"
        : modeArg;

  let jsonSchema: unknown;
  const schemaArg = str(o.jsonSchema);
  if (schemaArg !== undefined) {
    try {
      jsonSchema = JSON.parse(schemaArg);
    } catch (err) {
      throw new StartupError(
        `Error: --json-schema is not valid JSON: ${err instanceof Error ? err.message : err}`,
      );
    }
  }

  const mcpServers: string[] = [];
  for (const cfg of Array.isArray(o.mcpConfig) ? o.mcpConfig : []) {
    const r = readJsonOrFile(cfg, cwd);
    if (r.missing)
      throw new StartupError(`Error: Invalid MCP configuration:\nMCP config file not found: ${r.missing}`);
    if (r.invalid) throw new StartupError(`Error: Invalid MCP configuration:\n${r.invalid}`);
    const servers = (r.json as { mcpServers?: unknown }).mcpServers;
    if (typeof servers === "object" && servers !== null) mcpServers.push(...Object.keys(servers));
  }
  const settingsArg = str(o.settings);
  if (settingsArg !== undefined) {
    const r = readJsonOrFile(settingsArg, cwd);
    if (r.missing) throw new StartupError(`Error: Settings file not found: ${r.missing}`);
    if (r.invalid) throw new StartupError(`Error: Invalid settings JSON: ${r.invalid}`);
  }

  const readPromptFile = (path: string | undefined, label: string): string | undefined => {
    if (path === undefined) return undefined;
    const abs = resolve(cwd, path);
    try {
      return readFileSync(abs, "utf8");
    } catch {
      throw new StartupError(`Error: ${label} file not found: ${abs}`);
    }
  };
  const systemPrompt = str(o.systemPrompt) ?? readPromptFile(str(o.systemPromptFile), "System prompt");
  const appendSystemPrompt =
    str(o.appendSystemPrompt) ?? readPromptFile(str(o.appendSystemPromptFile), "Append system prompt");

  const effort = str(o.effort);
  if (effort !== undefined && !EFFORTS.includes(effort)) {
    process.stderr.write(
      `Warning: Unknown --effort value '${effort}' — ignoring it and using the default effort. Valid values: ${EFFORTS.join(", ")}.\n`,
    );
  }

  let baseScript: SimScript = {};
  if (env.CLAUDE_SIM_SCRIPT) {
    try {
      baseScript = parseScript(JSON.parse(env.CLAUDE_SIM_SCRIPT));
    } catch (err) {
      throw new StartupError(
        `claude-sim: invalid CLAUDE_SIM_SCRIPT: ${err instanceof Error ? err.message : err}`,
        2,
      );
    }
  }

  let prompt: string | undefined;
  if (inputFormat === "text") {
    const arg = parsed.operands[0] ?? "";
    const piped = await readStdinPrompt();
    prompt = arg && piped ? `${arg}\n${piped}` : arg || piped;
    if (prompt.trim() === "") {
      throw new StartupError(
        "Error: Input must be provided either through stdin or as a prompt argument when using --print",
      );
    }
    try {
      extractDirectives(prompt);
    } catch (err) {
      if (err instanceof ScriptError) throw new StartupError(`claude-sim: ${err.message}`, 2);
      throw err;
    }
  }

  const store = new SessionStore(simHome(env));
  const requestedId = str(o.sessionId);
  const resumeArg = str(o.resume);
  const resuming = o.resume !== undefined || o.continue === true;
  const fork = o.forkSession === true;
  if (requestedId !== undefined) {
    if (!isUuid(requestedId)) throw new StartupError("Error: Invalid session ID. Must be a valid UUID.");
    if (resuming && !fork) {
      throw new StartupError("Error: --session-id with --continue or --resume also needs --fork-session.");
    }
    if (store.exists(requestedId))
      throw new StartupError(`Error: Session ID ${requestedId} is already in use.`);
  }

  const now = new Date().toISOString();
  let session: SessionRecord;
  let resumedFrom: string | undefined;
  let prior: SessionRecord | undefined;
  if (resumeArg !== undefined) {
    prior = store.load(resumeArg);
    if (!prior) {
      const msg = `No conversation found with session ID: ${resumeArg}`;
      throw new StartupError(
        msg,
        1,
        format === "stream-json" ? startupErrorResult(resumeArg, msg) : undefined,
      );
    }
  } else if (o.resume === true) {
    throw new StartupError("Error: --resume requires a session ID or name when used with --print");
  } else if (o.continue === true) {
    prior = store.latestFor(cwd);
  }
  const resumeAt = str(o.resumeSessionAt);
  if (prior && resumeAt !== undefined) {
    // Keep the history up to and including that assistant message; drop what came after.
    const at = prior.messages.findIndex((m) => m.uuid === resumeAt);
    if (at < 0) {
      throw new StartupError(`No message found with message.uuid of: ${resumeAt}`);
    }
    prior = { ...prior, messages: prior.messages.slice(0, at + 1) };
  }
  if (prior) {
    resumedFrom = prior.sessionId;
    if (fork) {
      session = newSession(requestedId ?? randomUUID(), cwd, now);
      session.messages = [...prior.messages];
      session.forkedFrom = prior.sessionId;
    } else {
      session = prior;
    }
  } else {
    session = newSession(requestedId ?? randomUUID(), cwd, now);
  }
  const name = str(o.name);
  if (name !== undefined) session.name = name;

  const model = resolveModel(str(o.model));
  const toolsArg = o.tools;
  let tools = [...DEFAULT_TOOLS];
  if (toolsArg !== undefined) {
    const wanted = list(toolsArg);
    tools = wanted.length === 1 && wanted[0] === "default" ? tools : wanted;
  }
  const disallowedTools = list(o.disallowedTools);
  tools = tools.filter((t) => !disallowedTools.includes(t));

  const engine: EngineConfig = {
    facts: {
      sessionId: session.sessionId,
      cwd,
      model,
      permissionMode,
      tools,
      mcpServers,
      apiKeySource: env.ANTHROPIC_API_KEY ? "ANTHROPIC_API_KEY" : "none",
      configDir: env.CLAUDE_CONFIG_DIR ?? `${env.HOME ?? ""}/.claude`,
      addDirs: list(o.addDir).map((d) => resolve(cwd, d)),
    },
    permissionMode,
    allowedTools: list(o.allowedTools),
    disallowedTools,
    ...(typeof o.maxTurns === "number" ? { maxTurns: o.maxTurns } : {}),
    ...(typeof o.maxBudgetUsd === "number" ? { maxBudgetUsd: o.maxBudgetUsd } : {}),
    budgetLabel: typeof o.maxBudgetUsd === "number" ? String(o.maxBudgetUsd) : "",
    ...(jsonSchema !== undefined ? { jsonSchema } : {}),
    partialMessages: o.includePartialMessages === true,
    replayUserMessages: o.replayUserMessages === true,
    persist: o.noSessionPersistence !== true,
    keepFailedPrompts: env.CLAUDE_SIM_KEEP_FAILED_PROMPTS === "1",
    store,
    session,
  };

  return {
    kind: "run",
    format,
    verbose,
    inputFormat,
    engine,
    baseScript,
    ...(prompt !== undefined ? { prompt } : {}),
    log: {
      prompt: prompt ?? null,
      appendSystemPrompt: appendSystemPrompt ?? null,
      systemPrompt: systemPrompt ?? null,
      model,
      permissionMode,
      sessionId: session.sessionId,
      resumedFrom: resumedFrom ?? null,
      resumedAt: resumeAt ?? null,
      forked: fork && prior !== undefined,
    },
  };
}
