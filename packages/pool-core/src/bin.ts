import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";
import { ClaudeCliNotFound } from "./errors.js";

/** Resolves the `claude` executable like a shell would, or throws ClaudeCliNotFound. */
export async function resolveClaudeBin(
  bin: string,
  env: Record<string, string | undefined>,
): Promise<string> {
  const candidates = bin.includes("/")
    ? [path.resolve(bin)]
    : (env.PATH ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, bin));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new ClaudeCliNotFound(bin);
}
