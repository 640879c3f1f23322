import { z } from "zod";

/**
 * The stream-json lines the driver reads (see shared/claude-cli.md §4.3). Schemas are loose
 * (`z.looseObject`): the CLI adds fields between versions and we keep every line verbatim in the
 * event log anyway; we only insist on the fields we act on.
 */
const usageSchema = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
export type WireUsage = z.infer<typeof usageSchema>;

const modelUsageEntrySchema = z.looseObject({
  inputTokens: z.number().default(0),
  outputTokens: z.number().default(0),
  cacheReadInputTokens: z.number().default(0),
  cacheCreationInputTokens: z.number().default(0),
  costUSD: z.number().default(0),
});
export type ModelUsageEntry = z.infer<typeof modelUsageEntrySchema>;
const modelUsageSchema = z.record(z.string(), modelUsageEntrySchema);

export const initSchema = z.looseObject({
  type: z.literal("system"),
  subtype: z.literal("init"),
  session_id: z.string(),
  model: z.string().optional(),
  cwd: z.string().optional(),
});

export const assistantSchema = z.looseObject({
  type: z.literal("assistant"),
  session_id: z.string().optional(),
  /** The message id `--resume-session-at` takes. */
  uuid: z.string().optional(),
  /** Set on the synthetic message the CLI writes for a failed API call. */
  api_error_status: z.number().nullish(),
  message: z.looseObject({
    id: z.string().optional(),
    model: z.string().optional(),
    content: z.array(z.looseObject({ type: z.string() })).default([]),
    usage: usageSchema.nullish(),
  }),
});

export const resultSchema = z.looseObject({
  type: z.literal("result"),
  subtype: z.string(),
  is_error: z.boolean(),
  result: z.string().optional(),
  errors: z.array(z.string()).optional(),
  session_id: z.string(),
  total_cost_usd: z.number().default(0),
  num_turns: z.number().default(0),
  duration_ms: z.number().optional(),
  usage: usageSchema.optional(),
  modelUsage: modelUsageSchema.optional(),
  model_usage_since_last_result: modelUsageSchema.optional(),
  api_error_status: z.number().nullish(),
  structured_output: z.unknown().optional(),
});
export type ResultMessage = z.infer<typeof resultSchema>;

export const rateLimitSchema = z.looseObject({
  type: z.literal("rate_limit_event"),
  rate_limit_info: z.looseObject({
    status: z.string(),
    resetsAt: z.number().nullish(),
  }),
});

export type StreamLine =
  | { kind: "init"; raw: z.infer<typeof initSchema> }
  | { kind: "assistant"; raw: z.infer<typeof assistantSchema> }
  | { kind: "result"; raw: ResultMessage }
  | { kind: "rate_limit"; raw: z.infer<typeof rateLimitSchema> }
  /** Any other well-formed JSON line (user tool results, system/api_retry, stream_event…). */
  | { kind: "other"; type: string; raw: Record<string, unknown> }
  /** Not JSON, or JSON of an unexpected shape: kept as text, never fatal. */
  | { kind: "noise"; text: string };

export function parseStreamLine(line: string): StreamLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: "noise", text: line };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { kind: "noise", text: line };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string") return { kind: "noise", text: line };
  const attempt = <T>(schema: z.ZodType<T>): T | undefined => {
    const r = schema.safeParse(value);
    return r.success ? r.data : undefined;
  };
  if (type === "system" && (value as { subtype?: unknown }).subtype === "init") {
    const raw = attempt(initSchema);
    if (raw) return { kind: "init", raw };
  } else if (type === "assistant") {
    const raw = attempt(assistantSchema);
    if (raw) return { kind: "assistant", raw };
  } else if (type === "result") {
    const raw = attempt(resultSchema);
    if (raw) return { kind: "result", raw };
  } else if (type === "rate_limit_event") {
    const raw = attempt(rateLimitSchema);
    if (raw) return { kind: "rate_limit", raw };
  }
  return { kind: "other", type, raw: value as Record<string, unknown> };
}
