import pino, { type DestinationStream, type Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys whose values never reach a log line, at any of the first three levels of nesting. */
const SECRET_KEYS = [
  "ANTHROPIC_API_KEY",
  "CLAUDE_POOL_TOKEN",
  "CLAUDE_POOL_AUTH_SECRET",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  '["set-cookie"]',
  "token",
  "apiKey",
  "secret",
  "webhookSecret",
  "password",
  "DATABASE_URL",
  "databaseUrl",
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    const dotted = key.startsWith("[") ? key : `.${key}`;
    paths.push(key.startsWith("[") ? `*${key}` : key, `*${dotted}`, `*.*${dotted}`);
  }
  return paths;
}

/**
 * Secret shapes scrubbed from the finished line too, so a secret inside a message string (an
 * error quoting a header, a URL with a password) is caught where no key names it: API tokens
 * (`cp_…`), Anthropic keys (`sk-ant-…`), bearer credentials and passwords in URLs.
 */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\bcp_[A-Za-z0-9_-]{8,}/g, "cp_[Redacted]"],
  [/\bsk-ant-[A-Za-z0-9_-]+/g, "sk-ant-[Redacted]"],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, "$1 [Redacted]"],
  [/(\/\/[^:/@\s"]+:)[^@/\s"]+@/g, "$1[Redacted]@"],
];

export interface EngineLogger {
  logger: Logger;
  /** A value (a webhook secret, the API key in use) to scrub wherever it appears in a line. */
  addSecret(value: string): void;
}

/**
 * JSON lines through pino, one object per line, secrets redacted by key (`redact`) and by shape
 * and known value (a last pass over each line). Written to stderr by default: stdout belongs to
 * the MCP protocol in `claude-pool mcp` and to a command's own output elsewhere.
 */
export function createLogger(
  options: { level?: LogLevel; destination?: DestinationStream; name?: string } = {},
): EngineLogger {
  const secrets = new Set<string>();
  const scrub = (line: string): string => {
    let out = line;
    for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
    for (const secret of secrets) out = out.split(secret).join("[Redacted]");
    return out;
  };
  const logger = pino(
    {
      level: options.level ?? "info",
      base: { name: options.name ?? "claude-pool", pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths(), censor: "[Redacted]" },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
  return {
    logger,
    addSecret(value) {
      // Short values would blank out ordinary words; real secrets are long.
      if (value.length >= 8) secrets.add(JSON.stringify(value).slice(1, -1));
    },
  };
}

/** The level from CLAUDE_POOL_LOG_LEVEL, or an error naming the variable and the value. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const value = env.CLAUDE_POOL_LOG_LEVEL;
  if (value === undefined || value === "") return "info";
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new Error(`CLAUDE_POOL_LOG_LEVEL: expected one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
}
