import { DEFAULT_USAGE, type MockReply, type MockToolUse, type MockUsage, type TextReply } from "./types.js";

/** The content blocks of an assistant message, as the Messages API returns them. */
export type AssistantBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: unknown };

export interface AssistantMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AssistantBlock[];
  stop_reason: "end_turn" | "tool_use";
  stop_sequence: null;
  usage: Required<MockUsage>;
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Deltas are cut this small so a slow stream (`chunkDelayMs`) visibly trickles. */
const DELTA_CHUNK_CHARS = 24;

export function defaultTextReply(model: string): TextReply {
  return { text: `Hello from mock (${model}).` };
}

/** Builds the assistant message a text or tool-use reply stands for. */
export function assistantMessage(
  reply: Extract<MockReply, { text: string } | { toolUse: unknown }>,
  model: string,
  messageId: string,
  nextToolId: () => string,
): AssistantMessage {
  const content: AssistantBlock[] = [];
  if (typeof reply.text === "string" && reply.text !== "") content.push({ type: "text", text: reply.text });
  const toolUses: readonly MockToolUse[] = "toolUse" in reply ? toolUseList(reply.toolUse) : [];
  for (const call of toolUses) {
    content.push({ type: "tool_use", id: call.id ?? nextToolId(), name: call.name, input: call.input });
  }
  // An empty text reply still needs one block: the API never returns an empty content array on end_turn.
  if (content.length === 0) content.push({ type: "text", text: "" });
  return {
    id: messageId,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: toolUses.length > 0 ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { ...DEFAULT_USAGE, ...reply.usage },
  };
}

function toolUseList(toolUse: MockToolUse | readonly MockToolUse[]): readonly MockToolUse[] {
  return isToolUseArray(toolUse) ? toolUse : [toolUse];
}

function isToolUseArray(value: MockToolUse | readonly MockToolUse[]): value is readonly MockToolUse[] {
  return Array.isArray(value);
}

/** The SSE sequence the real API streams for `message`, in order. */
export function sseEvents(message: AssistantMessage): SseEvent[] {
  const { usage } = message;
  const events: SseEvent[] = [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          ...message,
          content: [],
          stop_reason: null,
          // Like the real API: message_start carries the input side and a placeholder output count.
          usage: { ...usage, output_tokens: 1 },
        },
      },
    },
  ];
  message.content.forEach((block, index) => {
    if (block.type === "text") {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { type: "text", text: "" } },
      });
      for (const text of chunk(block.text)) {
        events.push(delta(index, { type: "text_delta", text }));
      }
    } else {
      events.push({
        event: "content_block_start",
        data: {
          type: "content_block_start",
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
        },
      });
      for (const partial_json of chunk(JSON.stringify(block.input ?? {}))) {
        events.push(delta(index, { type: "input_json_delta", partial_json }));
      }
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push(
    {
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: { stop_reason: message.stop_reason, stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  );
  return events;
}

export function formatSse({ event, data }: SseEvent): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function delta(index: number, payload: Record<string, unknown>): SseEvent {
  return { event: "content_block_delta", data: { type: "content_block_delta", index, delta: payload } };
}

function chunk(text: string): string[] {
  if (text === "") return [""];
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += DELTA_CHUNK_CHARS) {
    pieces.push(text.slice(start, start + DELTA_CHUNK_CHARS));
  }
  return pieces;
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

export function defaultErrorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

export function errorBody(type: string, message: string): string {
  return JSON.stringify({ type: "error", error: { type, message } });
}

/** The headers a real 429 carries, so retry logic has something to read. */
export function rateLimitHeaders(now: Date): Record<string, string> {
  const reset = new Date(now.getTime() + 60_000).toISOString();
  return {
    "retry-after": "1",
    "anthropic-ratelimit-requests-limit": "50",
    "anthropic-ratelimit-requests-remaining": "0",
    "anthropic-ratelimit-requests-reset": reset,
    "anthropic-ratelimit-tokens-limit": "40000",
    "anthropic-ratelimit-tokens-remaining": "0",
    "anthropic-ratelimit-tokens-reset": reset,
    "anthropic-ratelimit-input-tokens-limit": "40000",
    "anthropic-ratelimit-input-tokens-remaining": "0",
    "anthropic-ratelimit-input-tokens-reset": reset,
    "anthropic-ratelimit-output-tokens-limit": "8000",
    "anthropic-ratelimit-output-tokens-remaining": "0",
    "anthropic-ratelimit-output-tokens-reset": reset,
  };
}

/** A rough but stable count: about four characters per token over everything the model would read. */
export function estimateInputTokens(body: unknown): number {
  if (typeof body !== "object" || body === null) return 1;
  const { messages, system, tools } = body as Record<string, unknown>;
  return Math.max(1, Math.ceil(JSON.stringify([messages, system, tools]).length / 4));
}
