/**
 * Builders for the NDJSON messages of the real CLI, with the key order seen on the wire
 * (see /work/shared/claude-cli-examples and test/fixtures). Pure functions of their inputs.
 */

import { randomUUID } from "node:crypto";
import { isListPriced, picoToUsd, type TokenUsage } from "./pricing.js";
import type { ModelTotals } from "./session.js";

export const CLAUDE_CODE_VERSION = "2.1.332";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const DEFAULT_TOOLS: readonly string[] = [
  "Task",
  "Bash",
  "CronCreate",
  "CronDelete",
  "CronList",
  "Edit",
  "EnterWorktree",
  "ExitWorktree",
  "ListAgents",
  "Monitor",
  "NotebookEdit",
  "Read",
  "ReportFindings",
  "ScheduleWakeup",
  "SendMessage",
  "Skill",
  "TaskStop",
  "ToolSearch",
  "WebFetch",
  "WebSearch",
  "Workflow",
  "Write",
];

const SKILLS = [
  "deep-research",
  "dataviz",
  "update-config",
  "verify",
  "debug",
  "code-review",
  "simplify",
  "batch",
  "fewer-permission-prompts",
  "doctor",
  "loop",
  "claude-api",
  "workflow-authoring",
  "run",
  "run-skill-generator",
  "plugin-authoring",
];

/** Facts about the session that appear in many messages. */
export interface SessionFacts {
  sessionId: string;
  cwd: string;
  model: string;
  /** As displayed in init (`manual` shows as `default`). */
  permissionMode: string;
  tools: string[];
  mcpServers: string[];
  apiKeySource: string;
  configDir: string;
  addDirs: string[];
}

export const ZERO_USAGE: TokenUsage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

export function newId(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, "").slice(0, 24)}`;
}

export function initMessage(f: SessionFacts): JsonObject {
  return {
    type: "system",
    subtype: "init",
    cwd: f.cwd,
    session_id: f.sessionId,
    tools: f.tools,
    mcp_servers: f.mcpServers.map((name) => ({ name, status: "connected", source: "dynamic" })),
    model: f.model,
    permissionMode: f.permissionMode,
    slash_commands: [...SKILLS, "clear", "compact", "config", "context", "cost", "init", "mcp", "model"],
    terminal_slash_commands: ["doctor", "color", "focus", "reload-plugins"],
    apiKeySource: f.apiKeySource,
    claude_code_version: CLAUDE_CODE_VERSION,
    output_style: "default",
    agents: ["claude", "Explore", "general-purpose", "Plan", "statusline-setup"],
    skills: SKILLS,
    plugins: [],
    capabilities: ["interrupt_receipt_v1", "msg_lifecycle_v1"],
    analytics_disabled: true,
    product_feedback_disabled: true,
    served_by_anthropic: false,
    uuid: randomUUID(),
    sandbox_enabled: false,
    memory_paths: { auto: `${f.configDir}/projects/${f.cwd.replace(/[^a-zA-Z0-9]/g, "-")}/memory/` },
    original_cwd: f.cwd,
    additional_directories: f.addDirs,
    messaging_socket_path: `/tmp/claude-sim-socks/${process.pid}.sock`,
    fast_mode_state: "off",
    fast_mode_disabled_reason: "sdk_opt_in_required",
    per_turn_effort_active: true,
    ultrathink_available: false,
    ultrathink_typed_raises: false,
    view_mode: "default",
  };
}

function usageJson(u: TokenUsage): JsonObject {
  return {
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
  };
}

export interface ApiCall {
  messageId: string;
  requestId: string;
  model: string;
  usage: TokenUsage;
}

/** One assistant line: exactly one content block; lines of one API call share `message.id`. */
export function assistantMessage(f: SessionFacts, call: ApiCall, block: JsonObject): JsonObject {
  return {
    type: "assistant",
    message: {
      id: call.messageId,
      type: "message",
      role: "assistant",
      model: call.model,
      content: [block],
      stop_reason: null,
      stop_sequence: null,
      usage: usageJson(call.usage),
      context_management: null,
    },
    parent_tool_use_id: null,
    session_id: f.sessionId,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
    request_id: call.requestId,
  };
}

export function toolResultMessage(
  f: SessionFacts,
  toolUseId: string,
  content: string,
  isError: boolean,
  toolUseResult: Json,
  meta?: Json,
): JsonObject {
  const msg: JsonObject = {
    type: "user",
    message: {
      role: "user",
      content: [{ tool_use_id: toolUseId, type: "tool_result", content, is_error: isError }],
    },
    parent_tool_use_id: null,
    session_id: f.sessionId,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
    tool_use_result: toolUseResult,
  };
  if (meta !== undefined) msg.tool_result_meta = meta;
  return msg;
}

export function permissionDeniedMessage(
  f: SessionFacts,
  toolName: string,
  toolUseId: string,
  message: string,
): JsonObject {
  return {
    type: "system",
    subtype: "permission_denied",
    tool_name: toolName,
    tool_use_id: toolUseId,
    message,
    uuid: randomUUID(),
    session_id: f.sessionId,
  };
}

export function userReplayMessage(f: SessionFacts, content: Json): JsonObject {
  return {
    type: "user",
    message: { role: "user", content },
    session_id: f.sessionId,
    parent_tool_use_id: null,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
    isReplay: true,
  };
}

/** The line the real CLI adds on SIGINT (and then exits 0 without a result). */
export function interruptedMessage(f: SessionFacts): JsonObject {
  return {
    type: "user",
    message: { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] },
    parent_tool_use_id: null,
    session_id: f.sessionId,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
  };
}

export function apiRetryMessage(
  f: SessionFacts,
  attempt: number,
  max: number,
  status: number,
  error: string,
) {
  return {
    type: "system",
    subtype: "api_retry",
    attempt,
    max_retries: max,
    retry_delay_ms: 500 * attempt,
    error_status: status,
    error,
    session_id: f.sessionId,
    uuid: randomUUID(),
  };
}

export interface ApiErrorInfo {
  status: number | null;
  type?: string;
  /** The `error` field of the synthetic assistant line, e.g. `authentication_failed`. */
  kind: string;
  text: string;
}

/** The synthetic assistant message the CLI prints before an API-error result. */
export function syntheticAssistantMessage(f: SessionFacts, err: ApiErrorInfo): JsonObject {
  const msg: JsonObject = {
    type: "assistant",
    message: {
      diagnostics: null,
      id: randomUUID(),
      container: null,
      model: "<synthetic>",
      role: "assistant",
      stop_details: null,
      stop_reason: "stop_sequence",
      stop_sequence: "",
      type: "message",
      usage: {
        output_tokens_details: null,
        ...usageJson(ZERO_USAGE),
        server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
        service_tier: null,
        cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
        inference_geo: null,
        iterations: null,
        speed: null,
        fallback_credit: null,
      },
      content: [{ type: "text", text: err.text }],
      context_management: null,
    },
    parent_tool_use_id: null,
    session_id: f.sessionId,
    uuid: randomUUID(),
    timestamp: new Date().toISOString(),
    error: err.kind,
  };
  msg.request_id = newId("req_sim_");
  msg.is_api_error_message = true;
  if (err.status !== null) {
    msg.api_error_status = err.status;
    if (err.type) msg.api_error_type = err.type;
  }
  return msg;
}

export function rateLimitEvent(f: SessionFacts, resetsAt: number): JsonObject {
  return {
    type: "rate_limit_event",
    rate_limit_info: { status: "rejected", resetsAt, rateLimitType: "five_hour" },
    uuid: randomUUID(),
    session_id: f.sessionId,
  };
}

export function streamEvent(f: SessionFacts, event: JsonObject, messageId: string): JsonObject {
  return {
    type: "stream_event",
    event,
    session_id: f.sessionId,
    parent_tool_use_id: null,
    uuid: randomUUID(),
    api_message_id: messageId,
  };
}

export function statusMessage(f: SessionFacts): JsonObject {
  return {
    type: "system",
    subtype: "status",
    status: "requesting",
    session_id: f.sessionId,
    uuid: randomUUID(),
  };
}

/** The full `usage` object of a result line. */
export function resultUsage(u: TokenUsage): JsonObject {
  return {
    ...usageJson(u),
    output_tokens_details: { thinking_tokens: 0 },
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
    service_tier: "standard",
    cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
    inference_geo: "",
    iterations: [],
    speed: "standard",
    fallback_credit: null,
  };
}

/** A `modelUsage` map (keyed by model id) from per-model totals. */
export function modelUsageJson(totals: Record<string, ModelTotals>): JsonObject {
  const out: JsonObject = {};
  for (const [model, t] of Object.entries(totals)) {
    out[model] = {
      inputTokens: t.inputTokens,
      outputTokens: t.outputTokens,
      cacheReadInputTokens: t.cacheReadInputTokens,
      cacheCreationInputTokens: t.cacheCreationInputTokens,
      webSearchRequests: 0,
      costUSD: picoToUsd(t.costPico),
      contextWindow: 1_000_000,
      maxOutputTokens: 128_000,
      thinkingTokens: 0,
      cacheCreationEphemeral5mInputTokens: 0,
      cacheCreationEphemeral1hInputTokens: 0,
      canonicalModel: model,
      provider: "firstParty",
      costBasis: isListPriced(model) ? "list" : "unknown",
    };
  }
  return out;
}

const SUBAGENT_STATS: JsonObject = {
  spawned: 0,
  requested: { background: 0, foreground: 0, unset: 0 },
  started_in_background: 0,
  max_depth: 0,
  spawned_by_subagents: 0,
  completed: 0,
  failed: 0,
  killed: { parent: 0, user: 0, system: 0 },
  refused: { depth_limit: 0, concurrency_limit: 0, budget: 0 },
  by_type: {},
};

export type ResultOutcome =
  | { kind: "success"; text: string; structured?: Json }
  | { kind: "api_error"; error: ApiErrorInfo }
  | { kind: "max_turns"; maxTurns: number }
  | { kind: "max_budget"; budgetLabel: string };

export interface ResultInput {
  facts: SessionFacts;
  outcome: ResultOutcome;
  stopReason: string | null;
  numTurns: number;
  durationMs: number;
  durationApiMs: number;
  /** This turn's main-loop usage. */
  usage: TokenUsage;
  totalCostPico: number;
  modelUsage: Record<string, ModelTotals>;
  /** Present only in stream-json output. */
  modelUsageSinceLastResult?: Record<string, ModelTotals>;
  permissionDenials: Json[];
  resultIndex: number;
  /** Message ids begun in this turn (only with --include-partial-messages). */
  begunMessageIds?: string[];
}

/** The final `result` line, in the real key order. */
export function resultMessage(r: ResultInput): JsonObject {
  const o = r.outcome;
  const isError = o.kind !== "success";
  const terminal =
    o.kind === "success"
      ? "completed"
      : o.kind === "api_error"
        ? "api_error"
        : o.kind === "max_turns"
          ? "max_turns"
          : "budget_exhausted";
  const msg: JsonObject = {
    duration_api_ms: r.durationApiMs,
    stop_reason: r.stopReason,
    session_id: r.facts.sessionId,
    total_cost_usd: picoToUsd(r.totalCostPico),
    usage: resultUsage(o.kind === "max_budget" ? ZERO_USAGE : r.usage),
    modelUsage: modelUsageJson(r.modelUsage),
    permission_denials: r.permissionDenials,
    terminal_reason: terminal,
    fast_mode_state: "off",
    fast_mode_disabled_reason: "sdk_opt_in_required",
    subagent_stats: SUBAGENT_STATS,
    safety_stops: 0,
    is_error: isError,
    num_turns: r.numTurns,
  };
  if (o.kind === "max_turns") {
    msg.subtype = "error_max_turns";
    msg.errors = [`Reached maximum number of turns (${o.maxTurns})`];
  } else if (o.kind === "max_budget") {
    msg.subtype = "error_max_budget_usd";
    msg.errors = [`Reached maximum budget ($${o.budgetLabel})`];
  } else if (o.kind === "api_error") {
    msg.subtype = "success";
    msg.api_error_status = o.error.status;
    if (o.error.type) msg.api_error_type = o.error.type;
    msg.result = o.error.text;
  } else {
    msg.subtype = "success";
    msg.api_error_status = null;
    msg.result = o.text;
    if (o.structured !== undefined) msg.structured_output = o.structured;
    msg.ttft_ms = r.durationMs;
  }
  msg.type = "result";
  msg.duration_ms = r.durationMs;
  msg.uuid = randomUUID();
  if (r.begunMessageIds) msg.begun_message_ids = r.begunMessageIds;
  if (o.kind === "success") {
    msg.ttft_stream_ms = r.durationMs;
    msg.time_to_request_ms = 0;
    msg.first_content_frame_ms = r.durationMs;
  }
  msg.queued_turn_count = 0;
  msg.result_index = r.resultIndex;
  if (r.modelUsageSinceLastResult) {
    msg.model_usage_since_last_result = modelUsageJson(r.modelUsageSinceLastResult);
  }
  return msg;
}

export interface InterruptedResultInput {
  facts: SessionFacts;
  durationMs: number;
  totalCostPico: number;
  modelUsage: Record<string, ModelTotals>;
  modelUsageSinceLastResult: Record<string, ModelTotals>;
  resultIndex: number;
}

/** The result the real CLI writes for a turn stopped by a `control_request` interrupt. */
export function interruptedResult(r: InterruptedResultInput): JsonObject {
  return {
    type: "result",
    subtype: "error_during_execution",
    duration_ms: r.durationMs,
    duration_api_ms: 0,
    is_error: true,
    num_turns: 0,
    stop_reason: null,
    session_id: r.facts.sessionId,
    total_cost_usd: picoToUsd(r.totalCostPico),
    usage: resultUsage(ZERO_USAGE),
    modelUsage: modelUsageJson(r.modelUsage),
    permission_denials: [],
    uuid: randomUUID(),
    errors: ["[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null"],
    result_index: r.resultIndex,
    model_usage_since_last_result: modelUsageJson(r.modelUsageSinceLastResult),
  };
}

/** The `error_during_execution` result written in stream-json for startup failures. */
export function startupErrorResult(sessionId: string, error: string): JsonObject {
  return {
    type: "result",
    subtype: "error_during_execution",
    duration_ms: 0,
    duration_api_ms: 0,
    is_error: true,
    num_turns: 0,
    stop_reason: null,
    session_id: sessionId,
    total_cost_usd: 0,
    usage: resultUsage(ZERO_USAGE),
    modelUsage: {},
    permission_denials: [],
    uuid: randomUUID(),
    errors: [error],
    result_index: 0,
  };
}
