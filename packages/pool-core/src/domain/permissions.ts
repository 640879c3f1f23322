import { InvalidOptions } from "./errors.js";
import type { ClaudeConfig } from "./types.js";

/**
 * The one rule about `bypassPermissions` (Claude runs every tool, shell included, without asking):
 * it is never a default, and a pool, slot or task may ask for it only when the pool's config also
 * says `allowBypassPermissions: true`. Everything that sets a permission mode (pool options, a
 * slot's config, a task's config, raw CLI arguments, the API's stored pool config) goes through
 * `assertBypassAllowed`.
 */
export const BYPASS_MODE = "bypassPermissions";

/** CLI arguments that turn bypass on (the SDK's `--flag=value` spelling included). */
function bypassInArgs(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? "";
    if (a === "--dangerously-skip-permissions") return a;
    if (a === `--permission-mode=${BYPASS_MODE}`) return a;
    if (a === "--permission-mode" && args[i + 1] === BYPASS_MODE) return `${a} ${BYPASS_MODE}`;
  }
  return null;
}

export interface BypassRequest {
  /** Where the mode was given, for the error: `config.permissionMode`, `slot.config.permissionMode`… */
  field: string;
  value: unknown;
}

/** The places in these layers that ask for bypass. */
export function bypassRequests(layers: {
  config?: { permissionMode?: unknown } | undefined;
  configField?: string;
  slots?: ReadonlyArray<{ field: string; config?: ClaudeConfig | undefined }>;
  extraArgs?: readonly string[] | undefined;
  extraArgsField?: string;
}): BypassRequest[] {
  const out: BypassRequest[] = [];
  if (layers.config?.permissionMode === BYPASS_MODE) {
    out.push({ field: `${layers.configField ?? "config"}.permissionMode`, value: BYPASS_MODE });
  }
  for (const s of layers.slots ?? []) {
    if (s.config?.permissionMode === BYPASS_MODE) {
      out.push({ field: `${s.field}.permissionMode`, value: BYPASS_MODE });
    }
  }
  const arg = bypassInArgs(layers.extraArgs ?? []);
  if (arg) out.push({ field: layers.extraArgsField ?? "claude.extraArgs", value: arg });
  return out;
}

/**
 * Throws InvalidOptions naming the first field that asks for bypass when the pool has not
 * opted in (`allowField`, e.g. `config.allowBypassPermissions`, is not `true`).
 */
export function assertBypassAllowed(allowed: unknown, allowField: string, requests: BypassRequest[]): void {
  if (allowed === true) return;
  const first = requests[0];
  if (!first) return;
  throw new InvalidOptions(
    first.field,
    first.value,
    "",
    `${first.field} is ${JSON.stringify(first.value)}, which lets Claude run every tool without asking: ` +
      `it is refused unless ${allowField} is true as well`,
  );
}

/** Whether a pool runs anything with bypass (its config or a slot's): for status and views. */
export function usesBypassPermissions(
  config: { permissionMode?: unknown } | undefined,
  slotConfigs: ReadonlyArray<ClaudeConfig | undefined> = [],
): boolean {
  return config?.permissionMode === BYPASS_MODE || slotConfigs.some((c) => c?.permissionMode === BYPASS_MODE);
}
