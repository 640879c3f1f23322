import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { InvalidDatabaseUrlError, type PostgresLocation } from "./errors.js";

/** The default PGlite data directory, relative to the workspace root (see `resolveDataDir`). */
export const DEFAULT_DATA_DIR = ".claude-pool/data";

const ACCEPTED =
  "a postgres:// or postgresql:// URL, e.g. postgres://user:password@localhost:5432/claude_pool";
const HOW_TO_EMBED = "unset it to use the embedded PGlite database";

/**
 * Checks a Postgres URL before a driver sees it: postgres.js throws a bare `TypeError: Invalid URL`
 * for garbage and happily dials Postgres for `mysql://…`. `setting` names where the value came
 * from, for the message. Returns where it points (for messages; never the password).
 */
export function parsePostgresUrl(value: string, setting: string): PostgresLocation {
  const shown = maskPassword(value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidDatabaseUrlError(
      setting,
      `${setting} is not a URL (got "${shown}"): expected ${ACCEPTED}; ${HOW_TO_EMBED}`,
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new InvalidDatabaseUrlError(
      setting,
      `${setting} uses "${url.protocol.replace(/:$/, "")}" (got "${shown}"), but claude-pool stores its data in Postgres only: expected ${ACCEPTED}; ${HOW_TO_EMBED}`,
    );
  }
  if (url.hostname === "" && !url.searchParams.has("host")) {
    throw new InvalidDatabaseUrlError(
      setting,
      `${setting} names no host (got "${shown}"): expected ${ACCEPTED}; ${HOW_TO_EMBED}`,
    );
  }
  return {
    host: decodeURIComponent(url.hostname) || (url.searchParams.get("host") ?? "localhost"),
    port: url.port ? Number(url.port) : 5432,
    database: decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username),
  };
}

/** `scheme://user:secret@host` → `scheme://user:***@host`, also for strings URL cannot parse. */
export function maskPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}

/**
 * The one rule for where the embedded database lives, used by `createDb`, `db:migrate` and any
 * program: an absolute path is used as is; a relative one (including the default
 * `.claude-pool/data`) resolves against the workspace root: the nearest directory at or above `from`
 * (default: the working directory) holding `pnpm-workspace.yaml` or a package.json with
 * `workspaces`; outside any workspace, against `from` itself. So `pnpm --filter @claude-pool/db
 * db:migrate` (which runs in packages/db) and a program started at the repository root open the
 * same directory.
 */
export function resolveDataDir(dataDir: string = DEFAULT_DATA_DIR, from: string = process.cwd()): string {
  if (isAbsolute(dataDir)) return resolve(dataDir);
  return resolve(findWorkspaceRoot(from) ?? from, dataDir);
}

/** The nearest directory at or above `from` that is a JavaScript workspace root, if any. */
export function findWorkspaceRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml")) || declaresWorkspaces(join(dir, "package.json"))) {
      return dir;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function declaresWorkspaces(packageJson: string): boolean {
  if (!existsSync(packageJson)) return false;
  try {
    const parsed: unknown = JSON.parse(readFileSync(packageJson, "utf8"));
    return typeof parsed === "object" && parsed !== null && "workspaces" in parsed;
  } catch {
    return false; // an unreadable package.json does not make a workspace
  }
}
