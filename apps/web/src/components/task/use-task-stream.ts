"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useCallback, useEffect, useState } from "react";
import { useTRPC } from "@/lib/trpc";
import type { StreamEvent } from "./event-line";

/**
 * A task's output, live. Lines are kept by sequence number, so a line that arrives twice (a
 * reconnect that overlaps) is shown once, and they render in order whatever order they arrive
 * in. On a dropped connection httpSubscriptionLink reconnects with the last tracked id as
 * `lastEventId`, and the server sends only what came after it: no gap, no duplicate.
 */
export function useTaskStream(taskId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<Map<number, StreamEvent>>(() => new Map());

  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: trpc.tasks.get.queryKey({ taskId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.tasks.diff.queryKey({ taskId }) });
  }, [queryClient, trpc, taskId]);

  const sub = useSubscription(
    trpc.tasks.onEvents.subscriptionOptions(
      { taskId },
      {
        onData(tracked) {
          const { seq, kind, payload } = tracked.data;
          setEvents((prev) => {
            if (prev.has(seq)) return prev;
            const next = new Map(prev);
            next.set(seq, { seq, kind, payload });
            return next;
          });
          if (kind === "result" || kind === "diff") refresh();
        },
      },
    ),
  );

  // The server ends the stream once the task has ended (a cancelled task has no result line).
  useEffect(() => {
    if (sub.status === "idle") refresh();
  }, [sub.status, refresh]);

  const ordered = [...events.values()].sort((a, b) => a.seq - b.seq);
  return { events: ordered, connection: sub.status, error: sub.error };
}
