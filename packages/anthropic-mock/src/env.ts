import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Dummy credential: the mock accepts anything, and the CLI needs *some* key to skip the login path. */
export const DUMMY_API_KEY = "sk-ant-dummy-local-mock";

export interface ClaudeEnvOptions {
  /** `CLAUDE_CONFIG_DIR` (replaces `~/.claude` and `~/.claude.json`). Default: a fresh temp dir. */
  configDir?: string;
  /** `CLAUDE_CODE_MAX_RETRIES`; default 0 so error paths answer at once instead of backing off. */
  maxRetries?: number;
  /**
   * The environment to start from; default `process.env`. Credentials and Claude settings in it
   * (`ANTHROPIC_*`, `CLAUDE_*`, `CLAUDECODE`) are always dropped so a developer's login cannot leak in.
   */
  baseEnv?: NodeJS.ProcessEnv;
  /** Added last, overriding everything else. */
  extra?: Readonly<Record<string, string>>;
}

/** Variables that could point the CLI somewhere real or change its behaviour behind the test's back. */
const INHERITED_PREFIXES = ["ANTHROPIC_", "CLAUDE_", "CLAUDECODE", "AWS_BEARER_TOKEN_BEDROCK", "VERTEX_"];

/**
 * The environment for spawning the real `claude` against `mock`: offline, credential-free, no retries,
 * an isolated config dir.
 * @example
 * spawn(claudeBinPath(), ["-p", "hi"], { env: claudeEnv(mock), stdio: ["ignore", "pipe", "pipe"] });
 */
export function claudeEnv(mock: { url: string }, options: ClaudeEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.baseEnv ?? process.env)) {
    if (value === undefined || INHERITED_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    env[name] = value;
  }
  return {
    ...env,
    ANTHROPIC_BASE_URL: mock.url,
    ANTHROPIC_API_KEY: DUMMY_API_KEY,
    CLAUDE_CONFIG_DIR: options.configDir ?? mkdtempSync(join(tmpdir(), "anthropic-mock-config-")),
    CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 0),
    // Umbrella for telemetry, error reporting, the autoupdater and the /api/hello probe.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    // Makes every API call carry x-claude-code-request-class (main / subagent / auxiliary / …).
    CLAUDE_CODE_GATEWAY_HINT_HEADERS: "1",
    // CI runs as root, where bypassPermissions is refused unless the CLI is told it is sandboxed.
    IS_SANDBOX: "1",
    ...options.extra,
  };
}

/** Absolute path of the real `claude` binary from `@anthropic-ai/claude-code` (a dev dependency here). */
export function claudeBinPath(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("@anthropic-ai/claude-code/package.json");
  const manifest: unknown = JSON.parse(readFileSync(manifestPath, "utf8"));
  const bin = binEntry(manifest);
  if (bin === undefined) {
    throw new Error(`claudeBinPath: ${manifestPath} has no "bin" entry for "claude"`);
  }
  return join(dirname(manifestPath), bin);
}

function binEntry(manifest: unknown): string | undefined {
  if (typeof manifest !== "object" || manifest === null || !("bin" in manifest)) return undefined;
  const { bin } = manifest;
  if (typeof bin === "string") return bin;
  if (typeof bin === "object" && bin !== null && "claude" in bin && typeof bin.claude === "string") {
    return bin.claude;
  }
  return undefined;
}
