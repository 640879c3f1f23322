import {
  type FanOutChain,
  type FanOutItem,
  type FanOutOptions,
  fanOut,
  fanOutChains,
} from "./chains/fan-out.js";
import { type ChainPool, ChainRunner } from "./chains/runner.js";
import type { ChainOptionsInput, ChainStepInput } from "./chains/schema.js";
import { ReviewManager, type ReviewOptions } from "./review/review.js";
import type { SkillRegistry } from "./skills/registry.js";
import { runSkill, type SkillRunOptions, submitSkill } from "./skills/run.js";
import type { SkillArgs } from "./skills/schema.js";
import { WorkflowRegistry } from "./workflows/registry.js";

export type OrchestrationPool = ChainPool;

/**
 * Everything the pool offers for composing work (chains, fan-out, skills, workflows, review),
 * built on the pool's submit/result/cancel. The Pool holds one and delegates to it.
 */
export class Orchestration {
  readonly skills: SkillRegistry;
  readonly workflows: WorkflowRegistry;
  readonly chains: ChainRunner;
  readonly reviews: ReviewManager;
  readonly #pool: OrchestrationPool;

  constructor(pool: OrchestrationPool, skills: SkillRegistry) {
    this.#pool = pool;
    this.skills = skills;
    this.workflows = new WorkflowRegistry(skills);
    this.chains = new ChainRunner(pool, skills);
    this.reviews = new ReviewManager(pool);
  }

  submitChain(steps: readonly ChainStepInput[], options?: ChainOptionsInput) {
    return this.chains.submit(steps, options);
  }

  chainResult(chainId: string, opts?: { wait?: boolean; signal?: AbortSignal }) {
    return this.chains.result(chainId, opts);
  }

  cancelChain(chainId: string) {
    return this.chains.cancel(chainId);
  }

  fanOut(items: readonly FanOutItem[], options?: FanOutOptions) {
    return fanOut(this.#pool, items, options);
  }

  fanOutChains(chains: readonly FanOutChain[], options?: { failFast?: boolean }) {
    return fanOutChains(this.chains, chains, options);
  }

  submitSkill(name: string, args?: SkillArgs, options?: SkillRunOptions) {
    return submitSkill(this.#host(), name, args, options);
  }

  runSkill(name: string, args?: SkillArgs, options?: SkillRunOptions) {
    return runSkill(this.#host(), name, args, options);
  }

  /** Starts a workflow by name; returns the chain id. The workflow's options, then the caller's, apply. */
  startWorkflow(name: string, args: SkillArgs = {}, options: ChainOptionsInput = {}) {
    const instance = this.workflows.instantiate(name, args);
    const config =
      instance.options.config || options.config
        ? { ...instance.options.config, ...options.config }
        : undefined;
    return this.chains.submit(instance.steps, {
      ...(instance.options.isolation === undefined ? {} : { isolation: instance.options.isolation }),
      ...options,
      ...(config ? { config } : {}),
      tags: [...(instance.options.tags ?? []), ...(options.tags ?? []), `workflow:${name}`],
    });
  }

  submitWithReview(prompt: string, options?: ReviewOptions) {
    return this.reviews.submit(prompt, options);
  }

  approveResult(reviewId: string) {
    return this.reviews.approve(reviewId);
  }

  rejectResult(reviewId: string, feedback: string) {
    return this.reviews.reject(reviewId, feedback);
  }

  reviewResult(reviewId: string, opts?: { wait?: boolean }) {
    return this.reviews.get(reviewId, opts);
  }

  #host() {
    return { pool: this.#pool, chains: this.chains, skills: this.skills };
  }
}
