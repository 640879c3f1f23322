import { type PoolOptions, parseOptions, type SlotSpec, slotSpecSchema } from "../domain/options.js";
import { assertAllInside } from "../domain/paths.js";
import { assertBypassAllowed, bypassRequests } from "../domain/permissions.js";
import type { ClaudeConfig } from "../domain/types.js";

/**
 * A slot's or a task's Claude config as the pool allows it: `bypassPermissions` only with the
 * pool's opt-in, and (for confined pools) extra directories inside the pool's own. `field` names
 * the config in errors (`task.config`, `slot.config`); `cwd` is the pool's directory.
 */
export function assertConfigAllowed(
  opts: PoolOptions,
  cwd: string,
  config: ClaudeConfig | undefined,
  field: string,
): void {
  assertBypassAllowed(
    opts.config.allowBypassPermissions,
    "the pool's config.allowBypassPermissions",
    bypassRequests({ config, configField: field }),
  );
  if (opts.confinePaths) assertAllInside(cwd, config?.addDirs, `${field}.addDirs`);
}

/** A `configureSlot` change, parsed and checked as a slot spec at `Pool.create` is. */
export function parseSlotChange(spec: Partial<SlotSpec>, opts: PoolOptions, cwd: string): Partial<SlotSpec> {
  const s = parseOptions(slotSpecSchema.partial(), spec, "slot");
  assertConfigAllowed(opts, cwd, s.config, "slot.config");
  return s;
}
