import type { IncomingHttpHeaders } from "node:http";
import type { ApiMessage, ContentBlock, MessagesBody, RecordedRequest, RequestKind } from "./types.js";

export interface RawRequest {
  seq: number;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** Turns what node:http gave us into the plain, pre-digested record handlers and tests look at. */
export function recordRequest(raw: RawRequest): RecordedRequest {
  const parsed = new URL(raw.url, "http://mock.invalid");
  const body = parseBody(raw.rawBody);
  const kind = requestKind(raw.method, parsed.pathname);
  const messages = body?.messages ?? [];
  const lastUser = findLast(messages, (message) => message.role === "user");
  const lastUserBlocks = lastUser ? blocksOf(lastUser) : [];
  const headers = flattenHeaders(raw.headers);
  const request: RecordedRequest = {
    seq: raw.seq,
    receivedAt: Date.now(),
    method: raw.method,
    path: parsed.pathname,
    url: raw.url,
    query: Object.fromEntries(parsed.searchParams),
    headers,
    rawBody: raw.rawBody,
    body,
    kind,
    requestClass: headers[REQUEST_CLASS_HEADER],
    auxiliary: false,
    model: typeof body?.model === "string" ? body.model : "",
    systemText: systemText(body?.system),
    lastUserText: findLast(lastUserBlocks, (block) => block.type === "text")?.text ?? "",
    toolResults: lastUserBlocks.filter((block) => block.type === "tool_result"),
  };
  request.auxiliary = isAuxiliaryRequest(request);
  return request;
}

/** The header `claudeEnv` makes the CLI send (via `CLAUDE_CODE_GATEWAY_HINT_HEADERS=1`) on every API call. */
export const REQUEST_CLASS_HEADER = "x-claude-code-request-class";

/**
 * Whether a `/v1/messages` call is anything other than a turn of the main conversation: a subagent's
 * turn, a compaction, or a side query (session title, memory extraction, tool-use summary, …).
 *
 * claude 2.1.332 labels each call in `x-claude-code-request-class` (`main`, `subagent`, `workflow`,
 * `compaction`, `auxiliary`, `side_reply`) when `CLAUDE_CODE_GATEWAY_HINT_HEADERS` is set, which
 * `claudeEnv` does. The body alone cannot tell: with `--tools ""` a main call has no tools either. A call
 * without the header (the CLI spawned with some other env) counts as main.
 */
export function isAuxiliaryRequest(request: Pick<RecordedRequest, "kind" | "requestClass">): boolean {
  if (request.kind !== "messages") return false;
  return request.requestClass !== undefined && request.requestClass !== "main";
}

function requestKind(method: string, path: string): RequestKind {
  if (method !== "POST") return "other";
  if (path === "/v1/messages") return "messages";
  if (path === "/v1/messages/count_tokens") return "count_tokens";
  return "other";
}

function parseBody(rawBody: string): MessagesBody | undefined {
  if (rawBody.trim() === "") return undefined;
  try {
    const value: unknown = JSON.parse(rawBody);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as MessagesBody)
      : undefined;
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

export function blocksOf(message: ApiMessage): ContentBlock[] {
  return typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
}

function systemText(system: MessagesBody["system"]): string {
  if (system === undefined) return "";
  if (typeof system === "string") return system;
  return system
    .filter((block) => block.type === "text" && typeof block.text === "string")
    .map((block) => block.text)
    .join("\n");
}

function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): T | undefined {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const item = items[index];
    if (item !== undefined && predicate(item)) return item;
  }
  return undefined;
}
