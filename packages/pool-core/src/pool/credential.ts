import { createHash } from "node:crypto";
import path from "node:path";

/**
 * The env variables that decide which Claude account a `claude` process bills: its key or token,
 * the endpoint it talks to, and its config dir (which holds the OAuth login and `apiKeyHelper`).
 * Usage limits are per account, so this is what a usage-limit park is keyed on.
 */
const ACCOUNT_ENV = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "CLAUDE_CODE_OAUTH_TOKEN",
  "ANTHROPIC_BASE_URL",
  "CLAUDE_CODE_USE_BEDROCK",
  "CLAUDE_CODE_USE_VERTEX",
] as const;

/**
 * The account identity a slot runs with, as a short hash (never the secret itself: it is stored
 * and may be shown). Same env → same key, so every engine of a pool configured alike agrees.
 *
 * - The key, token, base URL and cloud-provider switches from `env`.
 * - The config dir: `CLAUDE_CONFIG_DIR`, else `$HOME/.claude` (where the CLI keeps its login).
 * - `apiKeyHelper`: a `--settings` value in `extraArgs` (inline JSON or a file path) can name one;
 *   the value is part of the key (one given in the config dir's settings is covered by the dir).
 */
export function credentialKeyOf(
  env: Record<string, string | undefined>,
  extraArgs: readonly string[] = [],
): string {
  const parts: Record<string, string | null> = {};
  for (const name of ACCOUNT_ENV) parts[name] = env[name] || null;
  parts.configDir = env.CLAUDE_CONFIG_DIR
    ? path.resolve(env.CLAUDE_CONFIG_DIR)
    : path.join(env.HOME ?? "", ".claude");
  parts.settings = settingsArg(extraArgs);
  const hash = createHash("sha256").update(JSON.stringify(parts)).digest("hex");
  return `cred_${hash.slice(0, 16)}`;
}

/** The `--settings` value among extra CLI args (`--settings x` or `--settings=x`), if any. */
function settingsArg(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--settings") return args[i + 1] ?? null;
    if (a.startsWith("--settings=")) return a.slice("--settings=".length);
  }
  return null;
}
