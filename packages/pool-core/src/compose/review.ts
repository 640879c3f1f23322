import { InvalidOptions, TaskFailed } from "../domain/errors.js";
import { newId } from "../domain/ids.js";
import type { TaskOptionsInput } from "../domain/options.js";
import type { TaskRunner } from "../domain/task-runner.js";
import type { TaskResult } from "../domain/types.js";

export type ReviewStatus = "running" | "awaiting_review" | "approved" | "failed";

export interface ReviewRound {
  taskId: string;
  prompt: string;
  output: string | null;
  /** Why the run failed (not a rejection: the task itself failed). */
  error: string | null;
  /** The reviewer's feedback when this round was rejected. */
  feedback: string | null;
}

/** A result under review: every round, in order, is kept whatever the outcome. */
export interface ReviewState {
  reviewId: string;
  status: ReviewStatus;
  rejections: number;
  maxRejections: number;
  sessionId: string | null;
  rounds: ReviewRound[];
  /** The approved result. */
  result: TaskResult | null;
  error: string | null;
}

export interface ReviewOptions extends Omit<TaskOptionsInput, "session" | "fresh"> {
  /** The rejection that reaches this number fails the review (default 3). */
  maxRejections?: number;
}

interface ActiveReview {
  state: ReviewState;
  options: TaskOptionsInput;
  /** Settles when the current round has finished running. */
  round: Promise<void>;
}

/**
 * Human (or coordinator) review of a result: the task runs, waits for `approve` or `reject`; a
 * rejection re-runs in the same Claude session with the feedback, until the rejection that
 * reaches `maxRejections` fails the review with its history kept. Reviews live in memory; their
 * tasks are persisted like any other (tagged `review:<id>`).
 */
export class ReviewManager {
  readonly #pool: TaskRunner;
  readonly #reviews = new Map<string, ActiveReview>();

  constructor(pool: TaskRunner) {
    this.#pool = pool;
  }

  /** Starts the task in its own session and returns the review id at once. */
  async submit(prompt: string, options: ReviewOptions = {}): Promise<string> {
    const { maxRejections = 3, ...taskOptions } = options;
    if (!Number.isInteger(maxRejections) || maxRejections < 1) {
      throw new InvalidOptions("maxRejections", maxRejections, "an integer of at least 1");
    }
    const reviewId = newId();
    const review: ActiveReview = {
      state: {
        reviewId,
        status: "running",
        rejections: 0,
        maxRejections,
        sessionId: null,
        rounds: [],
        result: null,
        error: null,
      },
      options: { ...taskOptions, tags: [...(taskOptions.tags ?? []), `review:${reviewId}`] },
      round: Promise.resolve(),
    };
    review.round = this.#runRound(review, await this.#submitRound(review, prompt));
    this.#reviews.set(reviewId, review);
    return reviewId;
  }

  /** The review's state; with `wait`, once the current round has finished running. */
  async get(reviewId: string, opts: { wait?: boolean } = {}): Promise<ReviewState> {
    const review = this.#require(reviewId);
    if (opts.wait) await review.round;
    return structuredClone(review.state);
  }

  /** Accepts the result under review and returns it. Waits for a running round first. */
  async approve(reviewId: string): Promise<TaskResult> {
    const review = this.#require(reviewId);
    await review.round;
    const { state } = review;
    const last = state.rounds.at(-1);
    if (state.status !== "awaiting_review" || !last) {
      throw new InvalidOptions("reviewId", reviewId, `a review awaiting approval (it is ${state.status})`);
    }
    const result = await this.#pool.result(last.taskId, { wait: true });
    state.status = "approved";
    state.result = result;
    if (!result) throw new TaskFailed(last.taskId, "the approved task has no result", "no_result");
    return result;
  }

  /**
   * Rejects the result with feedback: it re-runs in the same session, or, at the `maxRejections`th
   * rejection, the review fails. Returns the new state (status `running` or `failed`).
   */
  async reject(reviewId: string, feedback: string): Promise<ReviewState> {
    if (typeof feedback !== "string" || feedback.trim() === "") {
      throw new InvalidOptions("feedback", feedback, "a non-empty explanation of what to change");
    }
    const review = this.#require(reviewId);
    await review.round;
    const { state } = review;
    const last = state.rounds.at(-1);
    if (state.status !== "awaiting_review" || !last) {
      throw new InvalidOptions("reviewId", reviewId, `a review awaiting approval (it is ${state.status})`);
    }
    last.feedback = feedback;
    state.rejections += 1;
    if (state.rejections >= state.maxRejections) {
      state.status = "failed";
      state.error = `rejected ${state.rejections} times (maxRejections ${state.maxRejections})`;
      return structuredClone(state);
    }
    const prompt = revisionPrompt(feedback);
    state.status = "running";
    review.round = this.#runRound(review, await this.#submitRound(review, prompt));
    return structuredClone(state);
  }

  async #submitRound(review: ActiveReview, prompt: string): Promise<string> {
    const taskId = await this.#pool.submit(prompt, {
      ...review.options,
      session: { resume: review.state.sessionId },
    });
    review.state.rounds.push({ taskId, prompt, output: null, error: null, feedback: null });
    return taskId;
  }

  async #runRound(review: ActiveReview, taskId: string): Promise<void> {
    const { state } = review;
    const round = state.rounds.at(-1);
    try {
      const result = await this.#pool.result(taskId, { wait: true });
      if (round) round.output = result?.output ?? null;
      if (result) state.sessionId = result.sessionId;
      state.status = "awaiting_review";
    } catch (error) {
      const task = await this.#pool.task(taskId).catch(() => null);
      if (task?.claudeSessionId) state.sessionId = task.claudeSessionId;
      if (round) round.error = error instanceof Error ? error.message : String(error);
      state.status = "failed";
      state.error = `the run failed: ${round?.error ?? "unknown error"}`;
    }
  }

  #require(reviewId: string): ActiveReview {
    const review = this.#reviews.get(reviewId);
    if (!review) throw new InvalidOptions("reviewId", reviewId, "the id of a review submitted to this pool");
    return review;
  }
}

function revisionPrompt(feedback: string): string {
  return `A reviewer rejected your previous result. Their feedback:

<feedback>
${feedback}
</feedback>

Revise your work to address every point. Keep what was right. Reply with the complete revised result, not only the changes.`;
}
