import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MockAnthropic, startMockAnthropic } from "./index.js";

let mock: MockAnthropic;

beforeEach(async () => {
  mock = await startMockAnthropic();
});

afterEach(async () => {
  await mock.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${mock.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

function messagesBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: "claude-test-1",
    max_tokens: 100,
    stream: true,
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
    ...overrides,
  };
}

interface ParsedEvent {
  event: string;
  data: Record<string, unknown>;
}

async function sseOf(response: Response): Promise<ParsedEvent[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((frame) => frame.trim() !== "")
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
      const data = /^data: (.*)$/m.exec(frame)?.[1] ?? "{}";
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

describe("POST /v1/messages, streaming", () => {
  it("streams the default text reply with the real event sequence and default usage", async () => {
    const response = await post("/v1/messages?beta=true", messagesBody());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("request-id")).toBe("req_mock_1");
    const events = await sseOf(response);
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events[0]?.data).toMatchObject({
      message: {
        id: "msg_mock_1",
        model: "claude-test-1",
        usage: {
          input_tokens: 100,
          output_tokens: 1,
          cache_creation_input_tokens: 50,
          cache_read_input_tokens: 10,
        },
      },
    });
    const text = events
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (e.data.delta as { type: string; text: string }).text)
      .join("");
    expect(text).toBe("Hello from mock (claude-test-1).");
    expect(events[5]?.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 20 },
    });
  });

  it("streams a tool call as input_json_delta pieces that join to the input", async () => {
    mock.enqueue({ toolUse: { name: "Write", input: { file_path: "a.txt", content: "x".repeat(60) } } });
    const events = await sseOf(await post("/v1/messages", messagesBody()));
    expect(events[1]?.data).toMatchObject({
      content_block: { type: "tool_use", id: "toolu_mock_1", name: "Write", input: {} },
    });
    const partials = events
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (e.data.delta as { partial_json: string }).partial_json);
    expect(partials.length).toBeGreaterThan(1);
    expect(JSON.parse(partials.join(""))).toEqual({ file_path: "a.txt", content: "x".repeat(60) });
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: "tool_use" } });
  });

  it("applies a custom usage over the defaults", async () => {
    mock.enqueue({ text: "ok", usage: { output_tokens: 7 } });
    const events = await sseOf(await post("/v1/messages", messagesBody()));
    expect(events[0]?.data).toMatchObject({ message: { usage: { input_tokens: 100 } } });
    expect(events.at(-2)?.data).toMatchObject({ usage: { output_tokens: 7 } });
  });
});

describe("POST /v1/messages, non-streaming", () => {
  it("answers with the whole message as JSON", async () => {
    mock.enqueue({
      text: "first",
      toolUse: [{ name: "Read", input: { file_path: "/x" }, id: "toolu_fixed" }],
    });
    const response = await post("/v1/messages", messagesBody({ stream: false }));
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      id: "msg_mock_1",
      type: "message",
      role: "assistant",
      model: "claude-test-1",
      content: [
        { type: "text", text: "first" },
        { type: "tool_use", id: "toolu_fixed", name: "Read", input: { file_path: "/x" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: 100,
        output_tokens: 20,
        cache_creation_input_tokens: 50,
        cache_read_input_tokens: 10,
      },
    });
  });
});

describe("reply selection", () => {
  it("asks the handlers first, then the queue, then the default", async () => {
    mock.enqueue({ text: "queued" });
    const remove = mock.script((request) => (request.lastUserText === "ping" ? { text: "pong" } : undefined));
    const ask = async (text: string): Promise<unknown> => {
      const body = messagesBody({ stream: false, messages: [{ role: "user", content: text }] });
      const json = (await (await post("/v1/messages", body)).json()) as { content: Array<{ text: string }> };
      return json.content[0]?.text;
    };
    expect(await ask("ping")).toBe("pong");
    expect(await ask("other")).toBe("queued");
    expect(await ask("other")).toBe("Hello from mock (claude-test-1).");
    remove();
    expect(await ask("ping")).toBe("Hello from mock (claude-test-1).");
  });

  it("keeps the queue for main-conversation calls and labels the rest auxiliary", async () => {
    mock.enqueue({ text: "for the main loop" });
    const ask = async (requestClass: string): Promise<unknown> => {
      const response = await post("/v1/messages", messagesBody({ stream: false }), {
        "x-claude-code-request-class": requestClass,
      });
      return ((await response.json()) as { content: Array<{ text: string }> }).content[0]?.text;
    };
    expect(await ask("auxiliary")).toBe("Hello from mock (claude-test-1).");
    expect(await ask("main")).toBe("for the main loop");
    expect(mock.requests.map((r) => [r.requestClass, r.auxiliary])).toEqual([
      ["auxiliary", true],
      ["main", false],
    ]);
    expect(mock.messagesRequests().map((r) => r.seq)).toEqual([2]);
    expect(mock.pendingReplies).toBe(0);
  });

  it("answers 500 when a handler throws", async () => {
    mock.script(() => {
      throw new Error("boom");
    });
    const response = await post("/v1/messages", messagesBody());
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "api_error", message: "anthropic-mock: script handler threw: boom" },
    });
  });
});

describe("errors", () => {
  it("sends the Anthropic error body and the rate-limit headers of a 429", async () => {
    mock.enqueue({ error: { status: 429, message: "slow down" } });
    const response = await post("/v1/messages", messagesBody());
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(response.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "slow down" },
    });
  });

  it.each([
    [401, "authentication_error"],
    [500, "api_error"],
    [529, "overloaded_error"],
  ])("derives the error type of a %i", async (status, type) => {
    mock.enqueue({ error: { status } });
    const response = await post("/v1/messages", messagesBody());
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ type: "error", error: { type, message: "mock failure" } });
  });

  it("answers unknown routes with a 404 error body", async () => {
    const response = await fetch(`${mock.url}/v1/complete`, { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "Not found: POST /v1/complete" },
    });
  });

  it("rejects a body that is not JSON", async () => {
    const response = await fetch(`${mock.url}/v1/messages`, { method: "POST", body: "nope" });
    expect(response.status).toBe(400);
  });
});

describe("timing", () => {
  it("waits delayMs before the first byte", async () => {
    mock.enqueue({ text: "late", delayMs: 150 });
    const started = performance.now();
    const response = await post("/v1/messages", messagesBody());
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(200);
  });

  it("spaces the SSE events by chunkDelayMs", async () => {
    mock.enqueue({ text: "slow", chunkDelayMs: 40 });
    const started = performance.now();
    const events = await sseOf(await post("/v1/messages", messagesBody()));
    expect(events).toHaveLength(6);
    expect(performance.now() - started).toBeGreaterThanOrEqual((events.length - 1) * 40 - 10);
  });

  it("hangs until the client gives up, and close() still returns", async () => {
    mock.enqueue({ hang: true });
    const response = post("/v1/messages", messagesBody(), {});
    const outcome = await Promise.race([
      response.then(() => "answered"),
      new Promise((resolve) => setTimeout(resolve, 200, "hanging")),
    ]);
    expect(outcome).toBe("hanging");
    await mock.close();
    await expect(response).rejects.toThrow();
  });

  it("hangs midstream after the first delta", async () => {
    mock.enqueue({ text: "never finished", hang: "midstream" });
    const response = await post("/v1/messages", messagesBody());
    const reader = response.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain("message_start");
    await mock.close();
  });
});

describe("other routes and the log", () => {
  it("counts tokens", async () => {
    const response = await post("/v1/messages/count_tokens", {
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    const json = (await response.json()) as { input_tokens: number };
    expect(json.input_tokens).toBeGreaterThan(0);
  });

  it("records method, path, query, headers and the parsed body", async () => {
    await post("/v1/messages?beta=true", messagesBody({ system: [{ type: "text", text: "be brief" }] }), {
      "x-api-key": "k",
    });
    const request = mock.lastRequest();
    expect(request).toMatchObject({
      seq: 1,
      method: "POST",
      path: "/v1/messages",
      url: "/v1/messages?beta=true",
      query: { beta: "true" },
      kind: "messages",
      model: "claude-test-1",
      systemText: "be brief",
      lastUserText: "hi",
      reply: { text: "Hello from mock (claude-test-1)." },
    });
    expect(request?.headers["x-api-key"]).toBe("k");
    expect(request?.body?.max_tokens).toBe(100);
  });

  it("forgets everything on reset()", async () => {
    mock.enqueue({ text: "x" });
    await post("/v1/messages", messagesBody());
    mock.enqueue({ text: "y" });
    mock.reset();
    expect(mock.requests).toEqual([]);
    expect(mock.pendingReplies).toBe(0);
  });
});
