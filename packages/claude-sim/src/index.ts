/**
 * Library entry of @claude-pool/claude-sim: where the binary is, and how to script it.
 *
 * @example
 * import { simBinPath, simDirective } from "@claude-pool/claude-sim";
 * spawn(simBinPath, ["-p", `hello ${simDirective({ cost: 0.1 })}`, "--output-format", "json"]);
 */

import { fileURLToPath } from "node:url";

/** Absolute path of the built executable (`dist/cli.js`); run `pnpm --filter @claude-pool/claude-sim build` first. */
export const simBinPath: string = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

export {
  DEFAULT_MODEL,
  MODEL_ALIASES,
  type ModelPrice,
  PRICES,
  resolveModel,
  UNKNOWN_MODEL_PRICE,
} from "./pricing.js";
export { extractDirectives, parseScript, type SimScript, simDirective } from "./script.js";
