/** Token counts reported for one reply; any field left out takes its default (see `DEFAULT_USAGE`). */
export interface MockUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** The usage every reply reports unless it says otherwise (the numbers claude-cli.md was measured with). */
export const DEFAULT_USAGE: Readonly<Required<MockUsage>> = Object.freeze({
  input_tokens: 100,
  output_tokens: 20,
  cache_creation_input_tokens: 50,
  cache_read_input_tokens: 10,
});

/** Slowness that can be added to any reply. */
export interface ReplyTiming {
  /** Wait this long before sending anything (status line included): slowness before the first byte. */
  delayMs?: number;
  /** Wait this long between SSE events, so the body streams slowly. Ignored for non-streaming requests. */
  chunkDelayMs?: number;
}

export interface MockToolUse {
  name: string;
  input: unknown;
  /** Defaults to a fresh `toolu_mock_<n>`. */
  id?: string;
}

/** A text answer: `stop_reason: "end_turn"`. */
export interface TextReply extends ReplyTiming {
  text: string;
  usage?: MockUsage;
}

/**
 * One or more tool calls (`stop_reason: "tool_use"`), optionally preceded by a text block. The CLI runs
 * the tools and sends another request carrying the `tool_result`s; the next reply answers that one.
 */
export interface ToolUseReply extends ReplyTiming {
  toolUse: MockToolUse | readonly MockToolUse[];
  text?: string;
  usage?: MockUsage;
}

/** An HTTP error with the Anthropic JSON error body `{"type":"error","error":{type,message}}`. */
export interface ErrorReply extends ReplyTiming {
  error: {
    /** 401, 429, 529 and 500 are the ones the CLI treats specially; any 4xx/5xx is sent as given. */
    status: number;
    /** e.g. `authentication_error`, `rate_limit_error`, `overloaded_error`, `api_error`. Defaults from the status. */
    type?: string;
    message?: string;
    /** Extra response headers; a 429 already gets `retry-after` and `anthropic-ratelimit-*`. */
    headers?: Readonly<Record<string, string>>;
  };
}

/**
 * Never finish the response. `true` sends nothing at all; `"midstream"` sends the headers, `message_start`
 * and the first text delta, then stalls (a non-streaming request gets the whole answer). The socket is only
 * released by the client or `mock.close()`; the CLI times out the first kind (`API_TIMEOUT_MS`) but not the
 * second.
 */
export interface HangReply extends ReplyTiming {
  hang: true | "midstream";
}

/** Only slowness: the default text reply, sent after the delay. */
export interface DelayReply extends ReplyTiming {
  delayMs: number;
}

export type MockReply = TextReply | ToolUseReply | ErrorReply | HangReply | DelayReply;

/** What kind of request the mock recognised. */
export type RequestKind = "messages" | "count_tokens" | "other";

/** A content block as the CLI sends it; only the fields the helpers read are typed. */
export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
  [key: string]: unknown;
}

export interface ApiMessage {
  role: string;
  content: string | ContentBlock[];
}

/** The JSON body of `POST /v1/messages` (loosely typed: the CLI sends many more fields). */
export interface MessagesBody {
  model?: string;
  messages?: ApiMessage[];
  system?: string | ContentBlock[];
  tools?: Array<{ name: string; [key: string]: unknown }>;
  stream?: boolean;
  max_tokens?: number;
  metadata?: { user_id?: string };
  [key: string]: unknown;
}

/** One request as the mock received it. */
export interface RecordedRequest {
  /** 1-based arrival order. */
  seq: number;
  receivedAt: number;
  method: string;
  /** Path without the query string, e.g. `/v1/messages`. */
  path: string;
  /** Path with the query string, e.g. `/v1/messages?beta=true`. */
  url: string;
  query: Record<string, string>;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed JSON body, or `undefined` when the body was empty or not JSON. */
  body: MessagesBody | undefined;
  kind: RequestKind;
  /** The CLI's own label for the call, from `x-claude-code-request-class` (see `isAuxiliaryRequest`). */
  requestClass: string | undefined;
  /**
   * True for a `/v1/messages` call that is not a turn of the main conversation (subagent, compaction,
   * title or other side query). See `isAuxiliaryRequest`.
   */
  auxiliary: boolean;
  /** `body.model`, or `""`. */
  model: string;
  /** All system text blocks joined with `\n` (the `system` field only). */
  systemText: string;
  /** The text of the last `user` message's last text block: the prompt of a fresh turn. */
  lastUserText: string;
  /** The `tool_result` blocks of the last `user` message (non-empty when the CLI reports tool output). */
  toolResults: ContentBlock[];
  /** The reply the mock chose for this request (set once it is chosen; absent for non-messages routes). */
  reply?: MockReply;
}

/** Evaluated for every request; return `undefined` to let the next handler, the queue or the default answer. */
export type ScriptHandler = (request: RecordedRequest) => MockReply | undefined;

export interface MockAnthropicOptions {
  /** Port to listen on; default 0 (random). The host is always 127.0.0.1. */
  port?: number;
  /** The reply used when no handler answers and the queue is empty. Default: text `Hello from mock (<model>).` */
  defaultReply?: (request: RecordedRequest) => MockReply;
  /** Let auxiliary requests take replies from the FIFO queue too (default false: they get the default reply). */
  queueServesAuxiliary?: boolean;
}
