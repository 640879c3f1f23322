"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { type RouterOutputs, useTRPC } from "@/lib/trpc";
import { FieldError } from "../states";
import { useToasts } from "../toasts";
import { watch } from "../watchers";

type Task = RouterOutputs["tasks"]["get"];
const TERMINAL = ["completed", "failed", "cancelled", "timed_out"];

/**
 * A task submitted for review carries a `review:<id>` tag; once it completes it waits for a
 * decision. The API refuses a decision on a round that is not the one awaiting review.
 */
function awaitingReview(task: Task): boolean {
  return task.status === "completed" && task.tags.some((t) => t.startsWith("review:"));
}

export function TaskActions({ task }: { task: Task }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const [feedback, setFeedback] = useState("");
  const [decided, setDecided] = useState(false);
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.tasks.get.queryKey({ taskId: task.id }) });
  const cancel = useMutation(
    trpc.tasks.cancel.mutationOptions({
      onSuccess: () => {
        toast("Cancel requested.", "info");
        void refresh();
      },
      onError: (e) => toast(e.message, "error"),
    }),
  );
  const approve = useMutation(
    trpc.tasks.approve.mutationOptions({
      onSuccess: () => {
        toast("Result approved.", "success");
        setDecided(true);
        void refresh();
      },
      onError: (e) => toast(e.message, "error"),
    }),
  );
  const reject = useMutation(
    trpc.tasks.reject.mutationOptions({
      onSuccess: (out) => {
        toast("Rejected: the task runs again with your feedback.", "info");
        setFeedback("");
        const next = (out as { taskId?: string } | undefined)?.taskId;
        if (next && next !== task.id) {
          watch("task", next, "review re-run", task.poolId);
          router.push(`/tasks/${next}`);
        } else void refresh();
      },
    }),
  );
  const errors = fieldErrors(reject.error);
  const running = !TERMINAL.includes(task.status);
  const review = awaitingReview(task) && !decided;
  if (!running && !review) return null;

  function onReject(e: FormEvent) {
    e.preventDefault();
    reject.mutate({ taskId: task.id, feedback });
  }

  return (
    <section className="card stack" aria-label="Task actions">
      {running && (
        <div>
          <button
            type="button"
            className="danger"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate({ taskId: task.id })}
          >
            Cancel task
          </button>
        </div>
      )}
      {review && (
        <>
          <h2>Review</h2>
          <div>
            <button
              type="button"
              disabled={approve.isPending}
              onClick={() => approve.mutate({ taskId: task.id })}
            >
              Approve result
            </button>
          </div>
          <form className="stack" onSubmit={onReject} aria-label="Reject with feedback">
            <label>
              Feedback
              <textarea
                value={feedback}
                onChange={(e) => setFeedback(e.target.value)}
                required
                aria-invalid={!!errorFor(errors, "feedback")}
              />
              <FieldError id="feedback-error" message={errorFor(errors, "feedback") ?? errors[""]} />
            </label>
            <div>
              <button type="submit" className="secondary" disabled={reject.isPending}>
                Reject with feedback
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
