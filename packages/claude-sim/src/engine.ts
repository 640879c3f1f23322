/**
 * Runs simulated turns: the API-call loop with tool rounds, permission checks, budget and
 * turn limits, and every scripted failure. One SimRun per process; one runTurn per prompt.
 */

import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { type Emitter, flushStdio } from "./output.js";
import { costPico, type TokenUsage, usageForCost, usdToPico } from "./pricing.js";
import { extractDirectives, type SimScript } from "./script.js";
import { capText, type ModelTotals, type SessionRecord, type SessionStore } from "./session.js";
import {
  type ApiCall,
  type ApiErrorInfo,
  apiRetryMessage,
  assistantMessage,
  initMessage,
  interruptedMessage,
  interruptedResult,
  type Json,
  type JsonObject,
  newId,
  permissionDeniedMessage,
  type ResultOutcome,
  rateLimitEvent,
  resultMessage,
  type SessionFacts,
  statusMessage,
  streamEvent,
  syntheticAssistantMessage,
  toolResultMessage,
  userReplayMessage,
  ZERO_USAGE,
} from "./shapes.js";

/** Thrown to end the process with `code` after flushing output (crash script, fatal errors). */
export class ExitRequest extends Error {
  override name = "ExitRequest";
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface EngineConfig {
  facts: SessionFacts;
  /** Effective permission mode (`manual` already mapped to `default`). */
  permissionMode: string;
  allowedTools: string[];
  disallowedTools: string[];
  maxTurns?: number;
  maxBudgetUsd?: number;
  /** `--max-budget-usd` as the user wrote it, for the error text. */
  budgetLabel: string;
  jsonSchema?: unknown;
  partialMessages: boolean;
  replayUserMessages: boolean;
  persist: boolean;
  /**
   * CLAUDE_SIM_KEEP_FAILED_PROMPTS=1: like the real CLI, a user message whose turn got no reply
   * (API error, crash, interrupt) stays last in the session and the next prompt is merged into
   * it, so its directives apply again: a failed turn poisons the session.
   */
  keepFailedPrompts?: boolean;
  store: SessionStore;
  session: SessionRecord;
}

const DEFAULT_USAGE: TokenUsage = {
  input_tokens: 100,
  output_tokens: 20,
  cache_creation_input_tokens: 50,
  cache_read_input_tokens: 10,
};

const WRITE_MODES = new Set(["acceptEdits", "bypassPermissions", "auto", "dontAsk"]);

/** Thrown inside a turn when a `control_request` interrupt arrives; the turn ends without a reply. */
class Interrupted extends Error {
  override name = "Interrupted";
}

/** Waits `ms` (forever when null), or until `signal` aborts: then throws Interrupted. */
function pause(ms: number | null, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((res, rej) => {
    if (signal?.aborted) return rej(new Interrupted());
    // A pending timer keeps the process alive while it hangs (an abort listener alone does not).
    const timer = setTimeout(() => res(), ms ?? 2 ** 31 - 1);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        rej(new Interrupted());
      },
      { once: true },
    );
  });
}

type Round =
  | { kind: "bash"; index: number }
  | { kind: "write"; path: string; content: string }
  | { kind: "final" };

function addTotals(into: Record<string, ModelTotals>, model: string, u: TokenUsage, pico: number): void {
  const t = into[model] ?? {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadInputTokens: 0,
    cacheCreationInputTokens: 0,
    costPico: 0,
  };
  t.inputTokens += u.input_tokens;
  t.outputTokens += u.output_tokens;
  t.cacheReadInputTokens += u.cache_read_input_tokens;
  t.cacheCreationInputTokens += u.cache_creation_input_tokens;
  t.costPico += pico;
  into[model] = t;
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
  };
}

function toolName(rule: string): string {
  const paren = rule.indexOf("(");
  return (paren >= 0 ? rule.slice(0, paren) : rule).trim();
}

function apiErrorInfo(status: 400 | 401 | 429 | 500 | 529, message: string | undefined): ApiErrorInfo {
  const serverSide =
    ". This is a server-side issue, usually temporary — try again in a moment. If it persists, check status.claude.com.";
  switch (status) {
    case 400:
      return {
        status,
        type: "invalid_request_error",
        kind: "invalid_request",
        text: `API Error: 400 ${message ?? "prompt is too long"}`,
      };
    case 401:
      return {
        status,
        type: "authentication_error",
        kind: "authentication_failed",
        text: `Failed to authenticate. API Error: 401 ${message ?? "invalid x-api-key"}`,
      };
    case 429:
      return {
        status,
        type: "rate_limit_error",
        kind: "rate_limit",
        text: `API Error: 429 ${message ?? "This request would exceed your organization's rate limit. Please try again later."}`,
      };
    case 529:
      return {
        status,
        type: "overloaded_error",
        kind: "server_error",
        text: `API Error: 529 ${message ?? "Overloaded"}${serverSide}`,
      };
    case 500:
      return {
        status,
        type: "api_error",
        kind: "server_error",
        text: `API Error: 500 ${message ?? "Internal server error"}${serverSide}`,
      };
  }
}

const RETRY_ERROR: Record<number, string> = {
  400: "invalid_request",
  401: "authentication_failed",
  429: "rate_limit",
  500: "server_error",
  529: "overloaded",
};

/** Derives a placeholder value that matches a JSON schema's shape. */
export function valueForSchema(schema: unknown): Json {
  if (typeof schema !== "object" || schema === null) return {};
  const s = schema as Record<string, unknown>;
  switch (s.type) {
    case "string":
      return "sim";
    case "number":
    case "integer":
      return 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "null":
      return null;
    default: {
      const out: { [k: string]: Json } = {};
      const props = s.properties;
      if (typeof props === "object" && props !== null) {
        for (const [k, v] of Object.entries(props)) out[k] = valueForSchema(v);
      }
      return out;
    }
  }
}

export class SimRun {
  readonly #cfg: EngineConfig;
  readonly #out: Emitter;
  #processSpendPico = 0;
  #sinceLastResult: Record<string, ModelTotals> = {};
  #resultIndex = 0;
  #lastAssistantUuid: string | null = null;

  constructor(cfg: EngineConfig, out: Emitter) {
    this.#cfg = cfg;
    this.#out = out;
  }

  #save(): void {
    if (!this.#cfg.persist) return;
    this.#cfg.session.updatedAt = new Date().toISOString();
    this.#cfg.store.save(this.#cfg.session);
  }

  #callUsage(script: SimScript, model: string): TokenUsage {
    if (script.cost !== undefined) return usageForCost(model, script.cost);
    if (script.usage) {
      return {
        input_tokens: script.usage.input_tokens ?? 0,
        output_tokens: script.usage.output_tokens ?? 0,
        cache_creation_input_tokens: script.usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: script.usage.cache_read_input_tokens ?? 0,
      };
    }
    return DEFAULT_USAGE;
  }

  #record(call: ApiCall): void {
    const pico = costPico(call.model, call.usage);
    this.#processSpendPico += pico;
    const s = this.#cfg.session;
    s.totalCostPico += pico;
    s.numTurns += 1;
    addTotals(s.modelUsage, call.model, call.usage, pico);
    addTotals(this.#sinceLastResult, call.model, call.usage, pico);
  }

  /** Emits the assistant lines of one API call (and its stream events with partial messages). */
  async #emitCall(call: ApiCall, blocks: JsonObject[], onlyFirst = false): Promise<void> {
    const f = this.#cfg.facts;
    const partial = this.#cfg.partialMessages && this.#out.streaming;
    const ev = (event: JsonObject) => this.#out.message(streamEvent(f, event, call.messageId));
    if (partial) {
      const usage = { ...call.usage, output_tokens: 1 };
      await ev({
        type: "message_start",
        message: {
          id: call.messageId,
          type: "message",
          role: "assistant",
          model: call.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage },
        },
      });
    }
    for (const [index, block] of blocks.entries()) {
      if (partial) {
        if (block.type === "text") {
          await ev({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
          const text = String(block.text);
          const half = Math.ceil(text.length / 2);
          for (const piece of [text.slice(0, half), text.slice(half)]) {
            if (piece)
              await ev({ type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
          }
        } else {
          await ev({ type: "content_block_start", index, content_block: { ...block, input: {} } });
          const partialJson = JSON.stringify(block.input);
          await ev({
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: partialJson },
          });
        }
      }
      const line = assistantMessage(f, call, block);
      if (typeof line.uuid === "string") this.#lastAssistantUuid = line.uuid;
      await this.#out.message(line);
      if (onlyFirst) return;
      if (partial) await ev({ type: "content_block_stop", index });
    }
    if (partial) {
      const last = blocks[blocks.length - 1];
      const stop = last?.type === "tool_use" ? "tool_use" : "end_turn";
      await ev({
        type: "message_delta",
        delta: { stop_reason: stop, stop_sequence: null },
        usage: { output_tokens: call.usage.output_tokens },
      });
      await ev({ type: "message_stop" });
    }
  }

  #mayWrite(): boolean {
    const { permissionMode, allowedTools, disallowedTools } = this.#cfg;
    if (disallowedTools.some((t) => toolName(t) === "Write")) return false;
    if (WRITE_MODES.has(permissionMode)) return true;
    return allowedTools.some((t) => toolName(t) === "Write" || toolName(t) === "Edit");
  }

  /** Runs one prompt to its result. Returns the exit code the process should use. */
  async runTurn(
    prompt: string,
    promptText: string,
    script: SimScript,
    replay?: Json,
    signal?: AbortSignal,
  ): Promise<number> {
    const turnStart = Date.now();
    const merged = this.#mergeFailed(promptText, script);
    try {
      return await this.#turn(prompt, merged.text, merged.script, replay, signal);
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      return this.#interrupted(turnStart);
    }
  }

  /** The prompts the session holds after its last reply, merged in front of this one. */
  #mergeFailed(promptText: string, script: SimScript): { text: string; script: SimScript } {
    if (!this.#cfg.keepFailedPrompts) return { text: promptText, script };
    const messages = this.#cfg.session.messages;
    const failed: string[] = [];
    for (let i = messages.length - 1; i >= 0 && messages[i]?.role === "user"; i--) {
      const text = messages[i]?.text ?? "";
      if (text !== "[Request interrupted by user]") failed.unshift(text);
    }
    if (failed.length === 0) return { text: promptText, script };
    const earlier = extractDirectives(failed.join("\n"));
    return { text: `${earlier.text}\n${promptText}`, script: { ...earlier.script, ...script } };
  }

  /**
   * Ends an interrupted turn as the real CLI 2.1.332 does: the "[Request interrupted by user]"
   * user line, then an `error_during_execution` result (no reply) that still counts the spend.
   */
  async #interrupted(turnStart: number): Promise<number> {
    const cfg = this.#cfg;
    const f = cfg.facts;
    await this.#out.message(interruptedMessage(f));
    cfg.session.messages.push({
      role: "user",
      text: "[Request interrupted by user]",
      at: new Date().toISOString(),
    });
    this.#save();
    const result = interruptedResult({
      facts: f,
      durationMs: Date.now() - turnStart,
      totalCostPico: cfg.session.totalCostPico,
      modelUsage: cfg.session.modelUsage,
      modelUsageSinceLastResult: this.#sinceLastResult,
      resultIndex: this.#resultIndex++,
    });
    this.#sinceLastResult = {};
    await this.#out.result(result, "");
    return 1;
  }

  async #turn(
    prompt: string,
    promptText: string,
    script: SimScript,
    replay: Json | undefined,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const cfg = this.#cfg;
    const f = cfg.facts;
    const out = this.#out;
    const turnStart = Date.now();
    this.#lastAssistantUuid = null;
    out.garbage = script.garbage === true;
    await out.message(initMessage(f));
    if (replay !== undefined && cfg.replayUserMessages) await out.message(userReplayMessage(f, replay));
    if (cfg.partialMessages && out.streaming) await out.message(statusMessage(f));
    cfg.session.messages.push({ role: "user", text: capText(prompt), at: new Date().toISOString() });
    cfg.session.runs += 1;
    this.#save();
    if (script.stderr) process.stderr.write(script.stderr);

    if (script.spawnChild) startChild();

    if (script.hang) {
      await flushStdio();
      await pause(null, signal);
    }

    const rounds: Round[] = [];
    for (let i = 0; i < (script.toolTurns ?? 0); i++) rounds.push({ kind: "bash", index: i + 1 });
    for (const [path, content] of Object.entries(script.writeFiles ?? {}))
      rounds.push({ kind: "write", path, content });
    rounds.push({ kind: "final" });

    let turnUsage: TokenUsage = { ...ZERO_USAGE };
    const denials: Json[] = [];
    let apiMs = 0;
    let turns = 0;
    let finalText = "";
    let structured: Json | undefined;
    let outcome: ResultOutcome | undefined;
    let stopReason: string | null = "end_turn";

    for (const round of rounds) {
      turns += 1;
      const delay = script.delayMs ?? 0;
      if (delay > 0 || signal?.aborted) await pause(delay, signal);
      apiMs += delay;

      // A usage limit lifts at its reset time, as the real one does: a run after it succeeds.
      const limitResetMs = script.usageLimit ? resetTimeMs(script.usageLimit.resetsAt) : null;
      const limited = limitResetMs !== null && simNow() < limitResetMs;
      if (round.kind === "final" && (script.apiError !== undefined || limited)) {
        let err: ApiErrorInfo;
        if (limitResetMs !== null && limited) {
          // Reported in whole seconds, rounded up so a caller waiting until then finds it lifted.
          const resetsAt = Math.ceil(limitResetMs / 1000);
          await out.message(rateLimitEvent(f, resetsAt));
          err = {
            status: 429,
            type: "rate_limit_error",
            kind: "rate_limit",
            text: `Claude AI usage limit reached|${resetsAt}`,
          };
        } else {
          const status = script.apiError ?? 500;
          const retries = script.apiRetries ?? 0;
          for (let a = 1; a <= retries; a++) {
            await out.message(apiRetryMessage(f, a, retries, status, RETRY_ERROR[status] ?? "server_error"));
          }
          err = apiErrorInfo(status, script.apiErrorMessage);
        }
        await out.message(syntheticAssistantMessage(f, err));
        outcome = { kind: "api_error", error: err };
        finalText = err.text;
        stopReason = "stop_sequence";
        break;
      }

      const call: ApiCall = {
        messageId: newId("msg_sim_"),
        requestId: newId("req_sim_"),
        model: f.model,
        usage: this.#callUsage(script, f.model),
      };
      const blocks: JsonObject[] = [];
      let toolUseId = "";
      if (round.kind === "bash") {
        toolUseId = newId("toolu_sim_");
        blocks.push({ type: "text", text: `Running tool ${round.index}.` });
        blocks.push({
          type: "tool_use",
          id: toolUseId,
          name: "Bash",
          input: { command: `echo sim-tool-${round.index}`, description: "Run" },
        });
      } else if (round.kind === "write") {
        toolUseId = newId("toolu_sim_");
        blocks.push({ type: "text", text: `Writing ${round.path}.` });
        blocks.push({
          type: "tool_use",
          id: toolUseId,
          name: "Write",
          input: { file_path: resolve(f.cwd, round.path), content: round.content },
        });
      } else if (cfg.jsonSchema !== undefined) {
        structured = (script.structured as Json | undefined) ?? valueForSchema(cfg.jsonSchema);
        finalText = JSON.stringify(structured);
        toolUseId = newId("toolu_sim_");
        blocks.push({ type: "tool_use", id: toolUseId, name: "StructuredOutput", input: structured });
      } else {
        finalText = replyText(script, promptText);
        blocks.push({ type: "text", text: finalText });
      }

      this.#record(call);
      turnUsage = addUsage(turnUsage, call.usage);
      this.#save();
      if (script.crash) {
        await this.#emitCall(call, blocks, true);
        throw new ExitRequest(script.exitCode ?? 1);
      }
      await this.#emitCall(call, blocks);
      stopReason = round.kind === "final" && cfg.jsonSchema === undefined ? "end_turn" : "tool_use";

      if (cfg.maxBudgetUsd !== undefined && this.#processSpendPico > usdToPico(cfg.maxBudgetUsd)) {
        outcome = { kind: "max_budget", budgetLabel: cfg.budgetLabel };
        break;
      }
      if (round.kind === "final") {
        if (structured !== undefined) {
          turns += 1;
          await out.message(
            toolResultMessage(f, toolUseId, "Structured output provided successfully", false, {
              structured_output: structured,
            }),
          );
        }
        outcome =
          structured === undefined
            ? { kind: "success", text: finalText }
            : { kind: "success", text: finalText, structured };
        break;
      }
      await this.#runTool(round, toolUseId, denials);
      if (cfg.maxTurns !== undefined && turns >= cfg.maxTurns) {
        turns += 1;
        outcome = { kind: "max_turns", maxTurns: cfg.maxTurns };
        break;
      }
    }
    if (!outcome) throw new Error("unreachable: rounds always end with a final round");

    if (outcome.kind === "success" || (outcome.kind === "api_error" && !cfg.keepFailedPrompts)) {
      cfg.session.messages.push({
        role: "assistant",
        text: capText(finalText),
        at: new Date().toISOString(),
        // The message id `--resume-session-at` takes (a failed call's synthetic reply has none).
        ...(outcome.kind === "success" && this.#lastAssistantUuid ? { uuid: this.#lastAssistantUuid } : {}),
      });
    }
    this.#save();
    const durationMs = Date.now() - turnStart;
    const result = resultMessage({
      facts: f,
      outcome,
      stopReason,
      numTurns: turns,
      durationMs,
      durationApiMs: apiMs,
      usage: turnUsage,
      totalCostPico: cfg.session.totalCostPico,
      modelUsage: cfg.session.modelUsage,
      ...(out.streaming ? { modelUsageSinceLastResult: this.#sinceLastResult } : {}),
      permissionDenials: denials,
      resultIndex: this.#resultIndex++,
    });
    this.#sinceLastResult = {};
    await out.result(result, textOutput(outcome));
    return outcome.kind === "success" ? (script.exitCode ?? 0) : 1;
  }

  async #runTool(round: Round, toolUseId: string, denials: Json[]): Promise<void> {
    const f = this.#cfg.facts;
    if (round.kind === "bash") {
      const stdout = `sim-tool-${round.index}`;
      await this.#out.message(
        toolResultMessage(f, toolUseId, stdout, false, {
          stdout,
          stderr: "",
          interrupted: false,
          isImage: false,
          noOutputExpected: false,
        }),
      );
      return;
    }
    if (round.kind !== "write") return;
    const abs = resolve(f.cwd, round.path);
    const rel = relative(f.cwd, abs);
    const inside = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
    let denied: string | undefined;
    if (!inside) denied = `Path ${abs} is outside the working directory ${f.cwd}.`;
    else if (!this.#mayWrite())
      denied = `Claude requested permissions to write to ${abs}, but you haven't granted it yet.`;
    if (denied) {
      denials.push({
        tool_name: "Write",
        tool_use_id: toolUseId,
        tool_input: { file_path: abs, content: round.content },
      });
      await this.#out.message(permissionDeniedMessage(f, "Write", toolUseId, denied));
      await this.#out.message(
        toolResultMessage(f, toolUseId, denied, true, `Error: ${denied}`, [
          {
            id: toolUseId,
            non_execution_kind: "user-rejected",
            permission_decision: { decision: "reject", source: "config" },
          },
        ]),
      );
      return;
    }
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, round.content);
    await this.#out.message(
      toolResultMessage(f, toolUseId, `File created successfully at: ${abs}`, false, {
        type: "create",
        filePath: abs,
        content: round.content,
        structuredPatch: [],
      }),
    );
  }
}

const FILLER = "claude-sim output filler text. ";

export function replyText(script: SimScript, promptText: string): string {
  if (script.outputBytes !== undefined) {
    const n = script.outputBytes;
    return FILLER.repeat(Math.ceil(n / FILLER.length)).slice(0, n);
  }
  return script.reply ?? `sim: ${promptText.trim().slice(0, 200)}`;
}

function textOutput(o: ResultOutcome): string {
  switch (o.kind) {
    case "success":
      return `${o.text}\n`;
    case "api_error":
      return `${o.error.text}\n`;
    case "max_turns":
      return `Error: Reached max turns (${o.maxTurns})`;
    case "max_budget":
      return `Error: Exceeded USD budget (${o.budgetLabel})`;
  }
}

/**
 * The API side's clock for usage limits: `CLAUDE_SIM_NOW_FILE` (a file holding epoch milliseconds,
 * written by a test that injects its clock into the pool too) when set and readable, else real time.
 */
function simNow(): number {
  const file = process.env.CLAUDE_SIM_NOW_FILE;
  if (!file) return Date.now();
  try {
    const ms = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(ms) ? ms : Date.now();
  } catch {
    return Date.now();
  }
}

function resetTimeMs(resetsAt: string | number): number {
  return typeof resetsAt === "number" ? resetsAt * 1000 : Date.parse(resetsAt);
}

/** A child that outlives the sim unless its whole process group is killed. */
function startChild(): void {
  const child = spawn("sleep", ["600"], { stdio: "ignore" });
  child.unref();
  const log = process.env.CLAUDE_SIM_LOG;
  if (log && child.pid !== undefined)
    appendFileSync(log, `${JSON.stringify({ childOf: process.pid, childPid: child.pid })}\n`);
}
