"use client";
import type { AppRouter } from "@claude-pool/api";
import { createTRPCClient, httpBatchStreamLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/**
 * The browser talks to its own origin: /trpc and /api/auth are proxied to the engine by this
 * app's route handlers (see README, "One origin"), so the session cookie is first-party and no
 * CORS is involved. Credentials are still sent explicitly so a cross-origin deployment
 * (NEXT_PUBLIC_ENGINE_URL set) works with the engine's `--web-origin`.
 */
export function makeTrpcClient() {
  const base = process.env.NEXT_PUBLIC_ENGINE_URL ?? "";
  const url = `${base}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url, eventSourceOptions: { withCredentials: true } }),
        false: httpBatchStreamLink({
          url,
          fetch: (input, init) => fetch(input, { ...init, credentials: "include" }),
        }),
      }),
    ],
  });
}
