import {
  assertBypassAllowed,
  assertRelativeInside,
  bypassRequests,
  type ClaudeConfig,
  InvalidOptions,
  poolOptionsSchema,
} from "@claude-pool/core";
import { z } from "zod";

/**
 * What the host accepts for pools. The routers validate the same shapes; the host validates again
 * because the engine (and its tests) call it directly.
 */

/** pool-core's pool config (model, budgetUsd, maxQueue, worktree…), with its defaults. */
export const poolConfigSchema = poolOptionsSchema.shape.config;

const name = z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters");
const slots = z.number().int("must be a whole number").min(1, "at least 1").max(64, "at most 64");

export const createPoolInput = z.object({
  teamId: z.string().min(1),
  name,
  slots,
  config: z.record(z.string(), z.unknown()).default({}),
});
export type CreatePoolInput = z.input<typeof createPoolInput>;

export const poolPatch = z.object({
  name: name.optional(),
  slots: slots.optional(),
  /** Keys merged over the stored config; validated together with it. */
  config: z.record(z.string(), z.unknown()).optional(),
  /** The pool cap in USD; null removes it. */
  budgetUsd: z.number().positive("must be more than 0").finite().nullable().optional(),
});
export type PoolPatch = z.input<typeof poolPatch>;

/**
 * Validates a whole pool config as Pool.create will, so a bad one is refused before it is stored
 * (with the slots' stored configs, which Pool.create gets too).
 * Throws InvalidOptions naming the field (`config.maxQueue`) and the value.
 */
export function checkPoolConfig(
  config: Record<string, unknown>,
  slotSpecs: Record<string, { config?: ClaudeConfig | undefined }> = {},
): Record<string, unknown> {
  const r = poolConfigSchema.safeParse(config);
  if (r.success) {
    // Paths stay inside the pool's directory (symlinks are checked again when the pool starts).
    const wt = r.data.worktree;
    if (typeof wt === "object") assertRelativeInside(wt.baseDir, "config.worktree.baseDir");
    for (const [i, dir] of (r.data.addDirs ?? []).entries()) assertRelativeInside(dir, `config.addDirs.${i}`);
    for (const [id, s] of Object.entries(slotSpecs)) {
      for (const [i, dir] of (s.config?.addDirs ?? []).entries()) {
        assertRelativeInside(dir, `slots.${id}.config.addDirs.${i}`);
      }
    }
    // bypassPermissions on the pool or a stored slot needs the pool's explicit opt-in.
    assertBypassAllowed(
      r.data.allowBypassPermissions,
      "config.allowBypassPermissions",
      bypassRequests({
        config: r.data,
        configField: "config",
        slots: Object.entries(slotSpecs).map(([id, s]) => ({
          field: `slots.${id}.config`,
          config: s.config,
        })),
      }),
    );
    return r.data;
  }
  const issue = r.error.issues[0];
  const field = ["config", ...(issue?.path.map(String) ?? [])];
  if (issue?.code === "unrecognized_keys") {
    throw new InvalidOptions([...field, issue.keys[0] ?? ""].join("."), "(unknown option)", "a known option");
  }
  let value: unknown = config;
  for (const key of issue?.path ?? []) {
    value =
      typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  throw new InvalidOptions(
    field.join("."),
    value,
    (issue?.message ?? "a valid config").replace(/^Invalid input: /, ""),
  );
}
