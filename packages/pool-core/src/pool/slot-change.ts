import { type PoolOptions, parseOptions, type SlotSpec, slotSpecSchema } from "../domain/options.js";
import { assertAllInside } from "../domain/paths.js";
import { assertBypassAllowed, bypassRequests } from "../domain/permissions.js";

/**
 * A `configureSlot` change, parsed and checked as a slot spec at `Pool.create` is: the
 * bypassPermissions opt-in, and (for confined pools) extra directories inside the pool's own.
 */
export function parseSlotChange(spec: Partial<SlotSpec>, opts: PoolOptions, cwd: string): Partial<SlotSpec> {
  const s = parseOptions(slotSpecSchema.partial(), spec, "slot");
  assertBypassAllowed(
    opts.config.allowBypassPermissions,
    "the pool's config.allowBypassPermissions",
    bypassRequests({ config: s.config, configField: "slot.config" }),
  );
  if (opts.confinePaths) assertAllInside(cwd, s.config?.addDirs, "slot.config.addDirs");
  return s;
}
