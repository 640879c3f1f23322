import { resolveDataDir } from "@claude-pool/db";
import type { z } from "zod";
import { StartupError } from "../cli/usage-error.js";
import { type Field, SERVE_FIELDS } from "./fields.js";

/** `claude-pool serve`'s settings, validated. */
export interface ServeConfig {
  port: number;
  host: string;
  /** Postgres URL, or undefined for embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** Absolute: PGlite's files (without DATABASE_URL), the engine id, the auth secret, worktrees. */
  dataDir: string;
  /** As configured (flag or env); resolution to an executable happens in claude-bin.ts. */
  claudeBin: string | undefined;
  /** Where `claudeBin` came from, for messages: `--claude-bin` or `CLAUDE_POOL_BIN`. */
  claudeBinSource: string | undefined;
  webOrigins: string[];
  publicUrl: string | undefined;
  graceMs: number;
  leaseMs: number;
  engineId: string | undefined;
  /** Webhooks may reach loopback, link-local and private addresses (an admin's explicit choice). */
  allowPrivateWebhooks: boolean;
  /** A response whose socket does not drain for this long (a stuck SSE reader) is closed. */
  sseStallMs: number;
  /** Requests per minute an API token minted by this engine (or `admin create`) may make. */
  tokenRateLimit: number;
}

/** A setting's value: the flag when given, else the env variable, else the default. */
function pick<T>(
  f: Field<T>,
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { value: T | undefined; source: string | undefined } {
  const fromFlag = flags[f.flag];
  const envValue = f.env === null ? undefined : env[f.env];
  const [raw, source] =
    typeof fromFlag === "string"
      ? [fromFlag, `--${f.flag}`]
      : fromFlag === true
        ? ["true", `--${f.flag}`]
        : envValue !== undefined && envValue !== ""
          ? [envValue, f.env ?? undefined]
          : [f.default, undefined];
  if (raw === undefined) return { value: undefined, source };
  const parsed = (f.schema as z.ZodType<T>).safeParse(raw);
  if (!parsed.success) {
    const from = source ?? `the default of --${f.flag}`;
    throw new StartupError(`${from} must be ${f.expected} (got ${JSON.stringify(redactUrl(raw))})`);
  }
  return { value: parsed.data, source };
}

/** Hides a URL's password so an error message never prints it. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@/\s]*@/i, "$1***@");
}

/** Resolves every serve setting from flags (already parsed) and the environment. */
export function loadServeConfig(
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  cwd: string,
): ServeConfig {
  const get = <T>(f: Field<T>) => pick(f, flags, env).value;
  const claude = pick(SERVE_FIELDS.claudeBin, flags, env);
  return {
    port: get(SERVE_FIELDS.port) ?? 4680,
    host: get(SERVE_FIELDS.host) ?? "127.0.0.1",
    databaseUrl: get(SERVE_FIELDS.databaseUrl),
    // The one data-dir rule of @claude-pool/db: relative to the workspace root (else `cwd`), so the
    // engine started anywhere in the repository and `db:migrate` open the same database.
    dataDir: resolveDataDir(get(SERVE_FIELDS.dataDir), cwd),
    claudeBin: claude.value,
    claudeBinSource: claude.source,
    webOrigins: get(SERVE_FIELDS.webOrigins) ?? [],
    publicUrl: get(SERVE_FIELDS.publicUrl),
    graceMs: get(SERVE_FIELDS.graceMs) ?? 30_000,
    leaseMs: get(SERVE_FIELDS.leaseMs) ?? 30_000,
    engineId: get(SERVE_FIELDS.engineId),
    allowPrivateWebhooks: get(SERVE_FIELDS.allowPrivateWebhooks) ?? false,
    sseStallMs: get(SERVE_FIELDS.sseStallMs) ?? 30_000,
    tokenRateLimit: get(SERVE_FIELDS.tokenRateLimit) ?? 6000,
  };
}

/** parseArgs options for every serve field (a string value each, switches none). */
export function serveFlagSpec(): Record<string, { type: "string" | "boolean" }> {
  return Object.fromEntries(
    Object.values(SERVE_FIELDS).map((f) => [
      f.flag,
      { type: f.boolean ? ("boolean" as const) : ("string" as const) },
    ]),
  );
}

/** The flag/env/default table for `serve --help`. */
export function serveFlagHelp(): string {
  return Object.values(SERVE_FIELDS)
    .map((f) => {
      const env = f.env ? ` (env ${f.env})` : "";
      const def = f.default ? ` [default ${f.default}]` : "";
      const value = f.boolean ? "" : " <value>";
      return `  --${f.flag}${value}${env}${def}\n      ${f.expected}`;
    })
    .join("\n");
}
