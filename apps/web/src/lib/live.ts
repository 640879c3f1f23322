"use client";
import { skipToken, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "./trpc";

/**
 * A pool's status, kept live: one query for the first paint, then every `pools.onStatus` event
 * replaces it in the cache (no polling). Other views of the same pool share the cache entry.
 * `live: false` skips the subscription: a browser holds at most six connections per origin and
 * each SSE stream takes one, so the overview streams only its first few pools.
 */
export function useLivePoolStatus(poolId: string, live = true) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const statusKey = trpc.pools.status.queryKey({ poolId });
  const status = useQuery(trpc.pools.status.queryOptions({ poolId }));
  const sub = useSubscription(
    trpc.pools.onStatus.subscriptionOptions(live ? { poolId } : skipToken, {
      onData(event) {
        queryClient.setQueryData(statusKey, event.data);
        // Tasks move between columns as their status changes: refresh the task lists of this pool.
        void queryClient.invalidateQueries({ queryKey: trpc.tasks.list.queryKey({ poolId }) });
      },
    }),
  );
  return { status, connection: sub.status };
}
