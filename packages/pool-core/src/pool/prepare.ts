import { resolveClaudeBin } from "../bin.js";
import { SkillRegistry } from "../compose/skills/registry.js";
import { type PoolClock, realClock } from "../domain/clock.js";
import { newId } from "../domain/ids.js";
import {
  type PoolOptions,
  type PoolOptionsInput,
  parseOptions,
  poolOptionsSchema,
} from "../domain/options.js";
import { assertAllInside, assertInside } from "../domain/paths.js";
import { assertBypassAllowed, bypassRequests } from "../domain/permissions.js";
import type { Driver } from "../driver/port.js";
import { InMemoryStore } from "../store/memory.js";
import type { Store } from "../store/port.js";
import { WorktreeManager } from "../worktrees/manager.js";
import { createPoolDriver } from "./driver-choice.js";

/** Everything a pool is built from, checked and opened before the pool exists. */
export interface PoolParts {
  opts: PoolOptions;
  store: Store;
  bin: string;
  env: Record<string, string>;
  cwd: string;
  worktrees: WorktreeManager | null;
  skills: SkillRegistry;
  driver: Driver;
  clock: PoolClock;
}

/**
 * Validates the pool options, finds the CLI, opens the worktree manager (refusing a directory
 * that is not a git repository), loads skills and picks the driver. Throws before anything runs.
 */
export async function preparePool(input: PoolOptionsInput): Promise<PoolParts> {
  const { store: givenStore, clock = realClock, ...rest } = input;
  const parsed = parseOptions(poolOptionsSchema, rest, "options");
  const opts = { ...parsed, poolId: parsed.poolId ?? newId() };
  assertBypassAllowed(
    opts.config.allowBypassPermissions,
    "options.config.allowBypassPermissions",
    bypassRequests({
      config: opts.config,
      configField: "options.config",
      slots: Array.isArray(opts.slots)
        ? opts.slots.map((s, i) => ({ field: `options.slots.${i}.config`, config: s.config }))
        : [],
      extraArgs: opts.claude.extraArgs,
      extraArgsField: "options.claude.extraArgs",
    }),
  );
  const env = mergeEnv(opts.claude.env);
  const cwd = opts.claude.cwd ?? process.cwd();
  if (opts.confinePaths) {
    const wtOption = opts.config.worktree;
    if (typeof wtOption === "object") assertInside(cwd, wtOption.baseDir, "options.config.worktree.baseDir");
    assertAllInside(cwd, opts.config.addDirs, "options.config.addDirs");
    if (Array.isArray(opts.slots)) {
      for (const [i, s] of opts.slots.entries())
        assertAllInside(cwd, s.config?.addDirs, `options.slots.${i}.config.addDirs`);
    }
  }
  const bin = await resolveClaudeBin(opts.claude.bin, env, cwd);
  const wt = opts.config.worktree;
  const worktrees = wt
    ? await WorktreeManager.open({
        repoDir: cwd,
        poolId: opts.poolId,
        baseDir: typeof wt === "object" ? wt.baseDir : undefined,
      })
    : null;
  const skills = await SkillRegistry.load({ projectDir: cwd, ...opts.skills });
  const store = givenStore ?? new InMemoryStore();
  const driver = createPoolDriver(opts.claude.driver);
  return { opts, store, bin, env, cwd, worktrees, skills, driver, clock };
}

function mergeEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return { ...env, ...extra };
}
