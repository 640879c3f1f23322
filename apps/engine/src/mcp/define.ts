import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";

/** What a tool's handler gets besides its arguments. */
export interface ToolContext {
  signal: AbortSignal;
  /** Sends an MCP progress notification (when the caller asked for them with a progress token). */
  progress(message: string, progress?: { done: number; total?: number }): void;
}

export interface ToolSpec<I extends z.ZodObject, O extends z.ZodObject> {
  title: string;
  description: string;
  input: I;
  output: O;
  annotations?: ToolAnnotations;
}

/** How often a waiting tool says it is still waiting, so a client that times out on silence does not. */
export const HEARTBEAT_MS = 5_000;

/**
 * Registers a tool whose result is `structuredContent` (checked against `output`) plus the same
 * JSON as text for clients that ignore structured content. A thrown error becomes `isError`
 * with its message (our errors name the field and value); nothing else of it (no stack) leaves.
 */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  server: McpServer,
  name: string,
  spec: ToolSpec<I, O>,
  handler: (args: z.output<I>, ctx: ToolContext) => Promise<z.input<O>>,
  log: (message: string) => void,
): void {
  // Widened to the concrete base type: the SDK's callback type cannot follow a type parameter.
  const inputSchema: z.ZodObject = spec.input;
  const outputSchema: z.ZodObject = spec.output;
  server.registerTool(
    name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema,
      outputSchema,
      ...(spec.annotations ? { annotations: spec.annotations } : {}),
    },
    async (args: unknown, extra): Promise<CallToolResult> => {
      const token = extra._meta?.progressToken;
      // MCP requires each notification's progress to exceed the last one's: a heartbeat or a repeated
      // step count moves it on by a thousandth.
      let last: number | null = null;
      // Awaited before the result is sent: a client drops progress that arrives after the result.
      const sent: Array<Promise<void>> = [];
      const ctx: ToolContext = {
        signal: extra.signal,
        progress(message, progress) {
          if (token === undefined) return;
          let value = progress?.done ?? last ?? 0;
          if (last !== null && value <= last) value = Math.round((last + 0.001) * 1000) / 1000;
          last = value;
          const notification = extra
            .sendNotification({
              method: "notifications/progress",
              params: {
                progressToken: token,
                progress: value,
                ...(progress?.total !== undefined ? { total: progress.total } : {}),
                message,
              },
            })
            .catch(() => {});
          sent.push(notification);
        },
      };
      try {
        const data = (await handler(args as z.output<I>, ctx)) as Record<string, unknown>;
        await Promise.all(sent);
        return { content: [{ type: "text" as const, text: JSON.stringify(data) }], structuredContent: data };
      } catch (error) {
        const message = errorMessage(error);
        log(`${name} failed: ${message}`);
        return { content: [{ type: "text" as const, text: message }], isError: true };
      }
    },
  );
}

/** An error's message in one line, prefixed by its stable code when it has one. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = error.message.split("\n")[0] ?? error.message;
    return typeof code === "string" && /^[A-Z_]+$/.test(code) ? `${code}: ${text}` : text;
  }
  return String(error);
}

/** Runs `fn` while a heartbeat says what we are waiting for every HEARTBEAT_MS. */
export async function withHeartbeat<T>(
  ctx: ToolContext,
  describe: () => Promise<string> | string,
  fn: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    void Promise.resolve(describe()).then(
      (m) => ctx.progress(m),
      () => {},
    );
  }, HEARTBEAT_MS);
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
