import {
  createTRPCClient,
  httpBatchStreamLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from "@trpc/client";
import { EventSource as EventSourcePolyfill } from "eventsource";
import type { AppRouter } from "./root.js";

/**
 * The typed client for other services, the CLI, MCP and the dashboard. Subscriptions go over SSE
 * (`httpSubscriptionLink`), everything else through `httpBatchStreamLink`. This module imports
 * only types from the server side, so a browser bundle that uses it pulls in no server code.
 */

export type PoolClient = TRPCClient<AppRouter>;

/** An EventSource constructor that accepts `{ fetch }` in its init (the `eventsource` package). */
export type FetchingEventSource = typeof EventSourcePolyfill;

export interface PoolClientOptions {
  /** The engine's URL (`http://127.0.0.1:4680`); `/trpc` is appended unless already there. */
  url: string;
  /** An API token (`claude-pool admin create` or `tokens.create`), sent as `Authorization: Bearer`. */
  token: string;
  /**
   * The EventSource for subscriptions. It must take `{ fetch }` in its init so the token can ride
   * in a header (a browser's native EventSource cannot send one). Default: the `eventsource` package.
   */
  EventSource?: FetchingEventSource;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/** `http://host:4680` or `http://host:4680/` or `…/trpc` → `…/trpc`. */
export function trpcUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return trimmed.endsWith("/trpc") ? trimmed : `${trimmed}/trpc`;
}

/**
 * A client authenticated by an API token, for services and command-line tools (Node 20 has no
 * global EventSource; the `eventsource` package is used unless another is given).
 *
 * @example
 * const client = createPoolClient({ url: "http://127.0.0.1:4680", token: process.env.CLAUDE_POOL_TOKEN });
 * const { taskId } = await client.tasks.submit.mutate({ poolId, prompt: "Summarise README.md" });
 * client.tasks.onEvents.subscribe({ taskId }, { onData: (e) => console.log(e.data) });
 */
export function createPoolClient(options: PoolClientOptions): PoolClient {
  const url = trpcUrl(options.url);
  const authorization = `Bearer ${options.token}`;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const EventSourceImpl = options.EventSource ?? EventSourcePolyfill;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url,
          EventSource: EventSourceImpl,
          eventSourceOptions: {
            fetch: (input, init) =>
              baseFetch(input, { ...init, headers: { ...init.headers, Authorization: authorization } }),
          },
        }),
        false: httpBatchStreamLink({
          url,
          fetch: baseFetch,
          headers: () => ({ Authorization: authorization }),
        }),
      }),
    ],
  });
}

export interface BrowserPoolClientOptions {
  /** The engine's (or the dashboard's same-origin proxy's) URL; `/trpc` is appended unless there. */
  url: string;
  /** Default: the browser's global EventSource, with credentials. */
  EventSource?: typeof globalThis.EventSource;
}

/**
 * A client authenticated by the better-auth session cookie (`credentials: "include"`), for the
 * dashboard. The engine must list the dashboard's origin in its trusted origins (`--web-origin`).
 */
export function createBrowserPoolClient(options: BrowserPoolClientOptions): PoolClient {
  const url = trpcUrl(options.url);
  const EventSourceImpl = options.EventSource ?? globalThis.EventSource;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url,
          EventSource: EventSourceImpl,
          eventSourceOptions: { withCredentials: true },
        }),
        false: httpBatchStreamLink({
          url,
          fetch: (input, init) => globalThis.fetch(input, { ...init, credentials: "include" }),
        }),
      }),
    ],
  });
}
