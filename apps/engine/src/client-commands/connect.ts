import { createPoolClient, type PoolClient } from "@claude-pool/api";
import { StartupError, UsageError } from "../cli/usage-error.js";

export const DEFAULT_URL = "http://127.0.0.1:4680";

export interface ClientTarget {
  url: string;
  token: string;
}

/** `--url`/`CLAUDE_POOL_URL` and `--token`/`CLAUDE_POOL_TOKEN` (the flag wins), checked. */
export function clientTarget(
  flags: { url?: string | undefined; token?: string | undefined },
  env: NodeJS.ProcessEnv,
): ClientTarget {
  const url = (flags.url ?? (env.CLAUDE_POOL_URL || DEFAULT_URL)).replace(/\/+$/, "");
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new UsageError(`--url: expected an http(s) URL like ${DEFAULT_URL}, got "${url}"`);
  }
  const token = flags.token ?? (env.CLAUDE_POOL_TOKEN || undefined);
  if (token === undefined) {
    throw new UsageError(
      "--token (or CLAUDE_POOL_TOKEN) is required: an API token from `claude-pool token create`",
    );
  }
  return { url, token };
}

export function connect(target: ClientTarget): PoolClient {
  return createPoolClient({ url: target.url, token: target.token });
}

/** Why a call to the engine failed, in one line that names the URL; never a stack. */
export function explainClientError(error: unknown, url: string): Error {
  const e = error as { message?: string; cause?: unknown; data?: { code?: string; httpStatus?: number } };
  const code = e?.data?.code;
  if (code === "UNAUTHORIZED")
    return new StartupError(`the engine at ${url} refused the token: ${firstLine(e.message)}`);
  if (code) return new StartupError(firstLine(e.message));
  const cause = findCause(error);
  if (cause) return new StartupError(`cannot reach the engine at ${url}: ${cause}`);
  const message = firstLine(e?.message);
  if (/fetch failed|Failed to fetch|network/i.test(message)) {
    return new StartupError(`cannot reach the engine at ${url}: ${message}`);
  }
  if (/Unexpected token|JSON/i.test(message)) {
    return new StartupError(`the server at ${url} did not answer as a claude-pool engine (${message})`);
  }
  return new StartupError(message || `the engine at ${url} failed the request`);
}

function findCause(error: unknown): string | null {
  let current: unknown = error;
  let deepest: string | null = null;
  for (let depth = 0; depth < 6 && current; depth++) {
    const c = current as { code?: unknown; cause?: unknown; message?: unknown };
    if (typeof c.code === "string" && /^E[A-Z]+/.test(c.code)) {
      const what: Record<string, string> = {
        ECONNREFUSED: "connection refused (is `claude-pool serve` running there?)",
        ENOTFOUND: "no such host",
        ETIMEDOUT: "the connection timed out",
        ECONNRESET: "the connection was reset",
        EHOSTUNREACH: "the host is unreachable",
      };
      return what[c.code] ?? c.code;
    }
    if (depth > 0 && typeof c.message === "string" && c.message !== "fetch failed") deepest = c.message;
    current = c.cause;
  }
  return deepest;
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0] ?? "";
}

export interface PoolRef {
  id: string;
  name: string;
  teamId: string;
}

/**
 * The pool a command means: `ref` as an id or a name among the teams the token reaches, or the
 * only pool there is when `ref` is not given.
 */
export async function resolvePool(client: PoolClient, ref: string | undefined): Promise<PoolRef> {
  const me = await client.auth.me.query();
  const pools: PoolRef[] = [];
  for (const team of me.teams) {
    for (const p of await client.pools.list.query({ teamId: team.id })) {
      pools.push({ id: p.id, name: p.name, teamId: team.id });
    }
  }
  if (ref === undefined) {
    if (pools.length === 1 && pools[0]) return pools[0];
    const names = pools.map((p) => p.name).join(", ") || "none";
    throw new UsageError(`--pool is required: this token reaches ${pools.length} pools (${names})`);
  }
  const found = pools.find((p) => p.id === ref) ?? pools.filter((p) => p.name === ref);
  if (!Array.isArray(found)) return found;
  if (found.length === 1 && found[0]) return found[0];
  if (found.length > 1)
    throw new UsageError(`--pool ${ref}: several teams have a pool of that name; give its id`);
  const names = pools.map((p) => p.name).join(", ") || "none";
  throw new StartupError(`no pool "${ref}" reachable with this token (pools: ${names})`);
}
