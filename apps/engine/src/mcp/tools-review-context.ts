import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { PoolBackend } from "./backend.js";
import { defineTool } from "./define.js";
import { anyText, input, text, wholeNumber } from "./fields.js";
import {
  contextListOutput,
  contextValueOutput,
  okOutput,
  resultOut,
  reviewOut,
  reviewOutput,
  taskOutput,
} from "./outputs.js";
import { taskFields, taskRequestOf } from "./task-input.js";

/** The crate addressed a review by `task_id`; `review_id` is our name. Either is accepted. */
const reviewRef = {
  review_id: text("a review id").optional().describe("From pool_submit_with_review"),
  task_id: text("a review id").optional().describe("The crate's name for review_id"),
};

function reviewIdOf(args: { review_id?: string; task_id?: string }): string {
  const id = args.review_id ?? args.task_id;
  if (id === undefined) throw new Error("review_id: is required (the id pool_submit_with_review returned)");
  return id;
}

export function registerReviewAndContextTools(
  server: McpServer,
  backend: PoolBackend,
  log: (m: string) => void,
): void {
  defineTool(
    server,
    "pool_submit_with_review",
    {
      title: "Submit with Review",
      description:
        "Run a task whose result waits for pool_approve_result or pool_reject_result; a rejection re-runs it " +
        "in the same session with the feedback. Returns the review_id at once.",
      input: input({
        prompt: text(),
        max_rejections: wholeNumber(1, 20)
          .optional()
          .describe("The rejection that reaches this fails it (default 3)"),
        model: taskFields.model,
        effort: taskFields.effort,
        tags: taskFields.tags,
        max_budget_usd: taskFields.max_budget_usd,
      }),
      output: reviewOutput,
    },
    async (args) => {
      const { prompt, max_rejections, ...fields } = args;
      const reviewId = await backend.submitWithReview({
        ...taskRequestOf(prompt, fields),
        ...(max_rejections !== undefined ? { maxRejections: max_rejections } : {}),
      });
      return reviewOut(await backend.review(reviewId, false));
    },
    log,
  );

  defineTool(
    server,
    "pool_approve_result",
    {
      title: "Approve a Result",
      description: "Accept the result under review (waits for a running round first) and return it.",
      input: input(reviewRef),
      output: taskOutput,
    },
    async (args) => resultOut(await backend.approve(reviewIdOf(args))),
    log,
  );

  defineTool(
    server,
    "pool_reject_result",
    {
      title: "Reject a Result",
      description:
        "Reject the result under review with feedback; the task re-runs in its session with it. " +
        "Returns the review's state.",
      input: input({ ...reviewRef, feedback: text("feedback saying what to change") }),
      output: reviewOutput,
    },
    async (args) => reviewOut(await backend.reject(reviewIdOf(args), args.feedback)),
    log,
  );

  defineTool(
    server,
    "context_set",
    {
      title: "Set Context",
      description: "Set a shared context value; every slot's next task sees it in its system prompt.",
      input: input({ key: text("a context key"), value: anyText() }),
      output: okOutput,
    },
    async (args) => {
      await backend.contextSet(args.key, args.value);
      return { ok: true, message: `context ${args.key} set` };
    },
    log,
  );

  defineTool(
    server,
    "context_get",
    {
      title: "Get Context",
      description: "A shared context value (found: false when the key is not set).",
      input: input({ key: text("a context key") }),
      output: contextValueOutput,
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      const value = await backend.contextGet(args.key);
      return { key: args.key, value: value ?? null, found: value !== undefined };
    },
    log,
  );

  defineTool(
    server,
    "context_delete",
    {
      title: "Delete Context",
      description: "Remove a shared context value.",
      input: input({ key: text("a context key") }),
      output: okOutput,
    },
    async (args) => {
      const deleted = await backend.contextDelete(args.key);
      return {
        ok: deleted,
        message: deleted ? `context ${args.key} deleted` : `context ${args.key} was not set`,
      };
    },
    log,
  );

  defineTool(
    server,
    "context_list",
    {
      title: "List Context",
      description: "Every shared context key and value.",
      input: input({}),
      output: contextListOutput,
      annotations: { readOnlyHint: true },
    },
    async () => {
      const entries = await backend.contextList();
      return { entries, context: Object.fromEntries(entries.map((e) => [e.key, e.value])) };
    },
    log,
  );
}
