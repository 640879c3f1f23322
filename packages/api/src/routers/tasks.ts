import { listTaskPage } from "@claude-pool/db";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { livePool } from "../host/live-pool.js";
import { assertTeamBudget, submitFanOut, submitTask } from "../host/submit.js";
import { taskEventStream } from "../host/task-events.js";
import { cancelTask, reviewIdOf, taskDiff } from "../host/task-ops.js";
import { taskView } from "../host/views.js";
import { poolProcedure, router, taskProcedure } from "../trpc.js";
import {
  definedOptions,
  lastEventIdInput,
  promptInput,
  TASK_STATUSES,
  taskOptionsInput,
} from "./task-inputs.js";

const statusInput = z.enum(TASK_STATUSES, { error: `status must be one of ${TASK_STATUSES.join(", ")}` });

export const tasksRouter = router({
  /** Queues a prompt; the task runs on the first free slot of any engine serving the pool. */
  submit: poolProcedure("member")
    .input(taskOptionsInput.extend({ prompt: promptInput }))
    .mutation(async ({ ctx, input }) => {
      const { poolId: _poolId, prompt, ...options } = input;
      const pool = livePool(ctx.host, ctx.poolRow);
      const who = { database: ctx.database, teamId: ctx.team.id, userId: ctx.caller.userId };
      return { taskId: await submitTask(who, pool, prompt, definedOptions(options)) };
    }),

  /** Queues every prompt at once (same options for each); with `failFast` the first failure cancels the rest. */
  fanOut: poolProcedure("member")
    .input(
      taskOptionsInput.extend({
        prompts: z
          .array(promptInput, { error: "prompts must be a list of strings" })
          .min(1, "prompts must hold at least one prompt")
          .max(100, "prompts must hold at most 100 prompts"),
        failFast: z.boolean({ error: "failFast must be true or false" }).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { poolId: _poolId, prompts, ...options } = input;
      const pool = livePool(ctx.host, ctx.poolRow);
      const who = { database: ctx.database, teamId: ctx.team.id, userId: ctx.caller.userId };
      return { taskIds: await submitFanOut(who, pool, prompts, definedOptions(options)) };
    }),

  get: taskProcedure("viewer").query(({ ctx }) => taskView(ctx.taskRow)),

  /**
   * The task's result: null while it runs (unless `wait`), the TaskResult once completed, or its
   * error (failed → CONFLICT, timed out → TIMEOUT, cancelled → CONFLICT) once it ended otherwise.
   */
  result: taskProcedure("viewer")
    .input(z.object({ wait: z.boolean({ error: "wait must be true or false" }).optional() }))
    .query(({ ctx, input, signal }) =>
      livePool(ctx.host, ctx.poolRow).result(ctx.taskRow.id, {
        wait: input.wait ?? false,
        ...(signal ? { signal } : {}),
      }),
    ),

  /** The pool's tasks, newest first, 50 a page (`cursor`: the previous page's `nextCursor`). */
  list: poolProcedure("viewer")
    .input(
      z.object({
        status: z
          .union([statusInput, z.array(statusInput)], {
            error: `status must be one of ${TASK_STATUSES.join(", ")}, or a list of them`,
          })
          .optional(),
        cursor: z.string().regex(/^\d+$/, "cursor must be the nextCursor of a previous page").optional(),
        limit: z
          .number()
          .int("limit must be a whole number")
          .min(1)
          .max(200, "limit must be at most 200")
          .optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const status =
        input.status === undefined ? undefined : Array.isArray(input.status) ? input.status : [input.status];
      const page = await listTaskPage(ctx.database.db, {
        poolId: ctx.poolRow.id,
        ...(status ? { status } : {}),
        ...(input.cursor === undefined ? {} : { cursor: Number(input.cursor) }),
        limit: input.limit ?? 50,
      });
      return {
        items: page.items.map(taskView),
        nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      };
    }),

  /** Cancels a queued or running task (on whichever engine runs it); false when it had already ended. */
  cancel: taskProcedure("member").mutation(async ({ ctx }) => ({
    cancelled: await cancelTask(livePool(ctx.host, ctx.poolRow), ctx.database, ctx.taskRow.id),
  })),

  /** What the task changed in its worktree, as the pool recorded it (`recorded: false` when nothing was). */
  diff: taskProcedure("viewer").query(({ ctx }) => taskDiff(ctx.database, ctx.taskRow.id)),

  /**
   * Runs a prompt whose result waits for a reviewer: `approve` accepts it, `reject` with feedback
   * re-runs it in the same Claude session. Reviews live in the engine that took the submission.
   */
  submitWithReview: poolProcedure("member")
    .input(
      taskOptionsInput.omit({ fresh: true }).extend({
        prompt: promptInput,
        maxRejections: z.number().int("maxRejections must be a whole number").min(1).max(20).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { poolId: _poolId, prompt, ...options } = input;
      const pool = livePool(ctx.host, ctx.poolRow);
      await assertTeamBudget(ctx.database, ctx.team.id, pool, options.maxBudgetUsd);
      const reviewId = await pool.submitWithReview(prompt, {
        ...definedOptions(options),
        submittedBy: ctx.caller.userId,
      });
      const state = await pool.reviewResult(reviewId);
      const taskId = state.rounds.at(-1)?.taskId ?? "";
      return { reviewId, taskId };
    }),

  /** Accepts the reviewed result (waits for the round to finish) and returns it. */
  approve: taskProcedure("member").mutation(({ ctx }) =>
    livePool(ctx.host, ctx.poolRow).approveResult(reviewIdOf(ctx.taskRow)),
  ),

  /** Rejects with feedback: the task re-runs in its session (`taskId` of the new round), or the review fails. */
  reject: taskProcedure("member")
    .input(
      z.object({
        feedback: z
          .string({ error: "feedback must be a string" })
          .trim()
          .min(1, "feedback must say what to change")
          .max(20_000, "feedback must be at most 20000 characters"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const state = await livePool(ctx.host, ctx.poolRow).rejectResult(
        reviewIdOf(ctx.taskRow),
        input.feedback,
      );
      return {
        reviewId: state.reviewId,
        status: state.status,
        rejections: state.rejections,
        taskId: state.rounds.at(-1)?.taskId ?? ctx.taskRow.id,
        error: state.error,
      };
    }),

  /**
   * The task's streamed CLI output from the start (or after `lastEventId`), live until it ends, from
   * whichever engine runs it. Event ids are the events' sequence numbers.
   */
  onEvents: taskProcedure("viewer")
    .input(lastEventIdInput)
    .subscription(async function* ({ ctx, input, signal }) {
      const pool = livePool(ctx.host, ctx.poolRow);
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      for await (const event of taskEventStream(pool, ctx.taskRow.id, after, signal)) {
        yield tracked(String(event.seq), event);
      }
    }),
});
