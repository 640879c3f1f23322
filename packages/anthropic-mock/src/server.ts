import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  assistantMessage,
  defaultErrorType,
  defaultTextReply,
  errorBody,
  estimateInputTokens,
  formatSse,
  rateLimitHeaders,
  sseEvents,
} from "./render.js";
import { recordRequest } from "./request.js";
import type { MockAnthropicOptions, MockReply, RecordedRequest, ScriptHandler } from "./types.js";

const HOST = "127.0.0.1";

/**
 * A loopback fake of the Anthropic Messages API, good enough for the real `claude` binary.
 *
 * Reply selection for each `POST /v1/messages`: the script handlers in the order they were added (first
 * non-`undefined` wins), then the FIFO queue (main-conversation requests only, unless
 * `queueServesAuxiliary`), then the default reply.
 */
export class MockAnthropic {
  /** Every request received, in arrival order, whatever its route. */
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #options: MockAnthropicOptions;
  #handlers: ScriptHandler[] = [];
  #queue: MockReply[] = [];
  #seq = 0;
  #toolSeq = 0;
  #waiters = new Set<(request: RecordedRequest) => void>();

  constructor(server: Server, options: MockAnthropicOptions) {
    this.#server = server;
    this.#options = options;
  }

  /** `http://127.0.0.1:<port>`, the value for `ANTHROPIC_BASE_URL`. */
  get url(): string {
    const address = this.#server.address() as AddressInfo | null;
    if (address === null) throw new Error("MockAnthropic.url: the server is not listening (closed?)");
    return `http://${HOST}:${address.port}`;
  }

  /**
   * Adds a handler consulted for every messages request, after the ones added before it.
   * @returns a function that removes it again.
   * @example
   * mock.script((req) => (req.toolResults.length > 0 ? { text: "done" } : undefined));
   */
  script(handler: ScriptHandler): () => void {
    this.#handlers.push(handler);
    return () => {
      this.#handlers = this.#handlers.filter((candidate) => candidate !== handler);
    };
  }

  /** Queues replies for the next main-conversation requests that no handler answers. */
  enqueue(...replies: MockReply[]): void {
    this.#queue.push(...replies);
  }

  /** How many queued replies have not been used yet. */
  get pendingReplies(): number {
    return this.#queue.length;
  }

  lastRequest(): RecordedRequest | undefined {
    return this.requests.at(-1);
  }

  /** The `/v1/messages` calls that are turns of the conversation (auxiliary side calls left out). */
  messagesRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.kind === "messages" && !request.auxiliary);
  }

  /**
   * Resolves with the first request, already received or still to come, that matches `predicate`
   * (default: any request); rejects after `timeoutMs` (default 10 s).
   * @example
   * const request = await mock.waitForRequest((r) => r.kind === "messages");
   */
  waitForRequest(
    predicate: (request: RecordedRequest) => boolean = () => true,
    { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
  ): Promise<RecordedRequest> {
    const seen = this.requests.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = (request: RecordedRequest): void => {
        if (!predicate(request)) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(request);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`MockAnthropic.waitForRequest: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Forgets recorded requests, handlers and queued replies; the server keeps listening. */
  reset(): void {
    this.requests.length = 0;
    this.#handlers = [];
    this.#queue = [];
  }

  /** Stops listening and drops every open connection, hanging responses included. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close((error) => (error ? reject(error) : resolve()));
      this.#server.closeAllConnections();
    });
  }

  /** @internal Wired to the server's `request` event by `startMockAnthropic`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    this.#seq += 1;
    const request = recordRequest({
      seq: this.#seq,
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: req.headers,
      rawBody,
    });
    this.requests.push(request);
    for (const waiter of [...this.#waiters]) waiter(request);
    const requestId = `req_mock_${request.seq}`;

    if (request.path === "/api/hello") {
      // The CLI's connectivity probe (HEAD /api/hello) when non-essential traffic is allowed.
      res.writeHead(200, { "content-type": "application/json", "request-id": requestId });
      res.end(req.method === "HEAD" ? undefined : "{}");
      return;
    }
    if (request.kind === "other") {
      sendError(res, requestId, 404, "not_found_error", `Not found: ${request.method} ${request.path}`);
      return;
    }
    if (request.body === undefined) {
      sendError(res, requestId, 400, "invalid_request_error", "The request body is not a JSON object");
      return;
    }
    if (request.kind === "count_tokens") {
      sendJson(res, requestId, { input_tokens: estimateInputTokens(request.body) });
      return;
    }
    if (!request.model || !Array.isArray(request.body.messages)) {
      sendError(res, requestId, 400, "invalid_request_error", "model and messages are required");
      return;
    }

    let reply: MockReply;
    try {
      reply = this.#chooseReply(request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      sendError(res, requestId, 500, "api_error", `anthropic-mock: script handler threw: ${message}`);
      return;
    }
    request.reply = reply;
    await this.#respond(request, reply, res, requestId);
  }

  #chooseReply(request: RecordedRequest): MockReply {
    for (const handler of this.#handlers) {
      const reply = handler(request);
      if (reply !== undefined) return reply;
    }
    if (!request.auxiliary || this.#options.queueServesAuxiliary) {
      const queued = this.#queue.shift();
      if (queued !== undefined) return queued;
    }
    return this.#options.defaultReply?.(request) ?? defaultTextReply(request.model);
  }

  /** What a delay-only or midstream-hang reply says: the default reply's content, if it has any. */
  #defaultContent(request: RecordedRequest): ContentReply {
    const fallback = this.#options.defaultReply?.(request);
    return fallback !== undefined && isContentReply(fallback) ? fallback : defaultTextReply(request.model);
  }

  async #respond(
    request: RecordedRequest,
    reply: MockReply,
    res: ServerResponse,
    requestId: string,
  ): Promise<void> {
    if (!(await pause(reply.delayMs, res))) return;
    if ("hang" in reply && reply.hang === true) return;
    if ("error" in reply) {
      const { status, message, headers } = reply.error;
      const extra = status === 429 ? { ...rateLimitHeaders(new Date()), ...headers } : { ...headers };
      sendError(
        res,
        requestId,
        status,
        reply.error.type ?? defaultErrorType(status),
        message ?? "mock failure",
        extra,
      );
      return;
    }

    const content = isContentReply(reply) ? reply : this.#defaultContent(request);
    const message = assistantMessage(content, request.model, `msg_mock_${request.seq}`, () => {
      this.#toolSeq += 1;
      return `toolu_mock_${this.#toolSeq}`;
    });

    if (request.body?.stream !== true) {
      sendJson(res, requestId, message);
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "request-id": requestId,
    });
    const events = sseEvents(message);
    const midstreamHang = "hang" in reply && reply.hang === "midstream";
    for (const [index, event] of events.entries()) {
      if (index > 0 && !(await pause(reply.chunkDelayMs, res))) return;
      res.write(formatSse(event));
      // message_start, content_block_start, first delta: the client has started rendering, then silence.
      if (midstreamHang && index === 2) return;
    }
    res.end();
  }
}

/** Starts the mock on 127.0.0.1 (random port unless `options.port`). Close it with `mock.close()`. */
export async function startMockAnthropic(options: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const server = createServer();
  const mock = new MockAnthropic(server, options);
  server.on("request", (req, res) => {
    mock.handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendError(res, "req_mock_internal", 500, "api_error", `anthropic-mock internal error: ${message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return mock;
}

type ContentReply = Extract<MockReply, { text: string } | { toolUse: unknown }>;

function isContentReply(reply: MockReply): reply is ContentReply {
  return "text" in reply || "toolUse" in reply;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, requestId: string, value: unknown): void {
  res.writeHead(200, { "content-type": "application/json", "request-id": requestId });
  res.end(JSON.stringify(value));
}

function sendError(
  res: ServerResponse,
  requestId: string,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, "content-type": "application/json", "request-id": requestId });
  res.end(errorBody(type, message));
}

/**
 * Waits `ms` unless the client goes away first.
 * @returns whether the response can still be written.
 */
function pause(ms: number | undefined, res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (ms === undefined || ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once("close", onClose);
  });
}
