import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StartupError } from "../cli/usage-error.js";

/** Reads a small value kept in the data dir, creating it (only once, `wx`) when absent. */
function keptValue(dataDir: string, name: string, make: () => string): string {
  const path = join(dataDir, name);
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(path, `${make()}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) {
      throw new StartupError(
        `cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return readFileSync(path, "utf8").trim();
}

/**
 * The engine id: configured, else the one kept in `<dataDir>/engine-id` (made on first start).
 * Stable across restarts, so `recoverOnStart` finds the tasks this engine was running when it died.
 */
export function loadEngineId(dataDir: string, configured: string | undefined): string {
  if (configured !== undefined) return configured;
  const id = keptValue(dataDir, "engine-id", () => `engine-${randomBytes(6).toString("hex")}`);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
    throw new StartupError(
      `${join(dataDir, "engine-id")} holds an invalid engine id (${JSON.stringify(id)})`,
    );
  }
  return id;
}

/**
 * The secret that signs session cookies: CLAUDE_POOL_AUTH_SECRET, else one kept in
 * `<dataDir>/auth-secret`. Engines behind one load balancer must share it (set the env).
 */
export function loadAuthSecret(dataDir: string, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.CLAUDE_POOL_AUTH_SECRET;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (fromEnv.length < 32) {
      throw new StartupError(
        `CLAUDE_POOL_AUTH_SECRET must be at least 32 characters (got ${fromEnv.length})`,
      );
    }
    return fromEnv;
  }
  return keptValue(dataDir, "auth-secret", () => randomBytes(32).toString("base64url"));
}
