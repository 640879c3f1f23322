import { z } from "zod";

/**
 * One setting of `claude-pool serve`: the flag, the environment variable, the default, the zod
 * schema of its value and the words an error uses for what is accepted. The flag wins over the env.
 */
export interface Field<T> {
  flag: string;
  env: string | null;
  default: string | undefined;
  schema: z.ZodType<T>;
  expected: string;
  /** A switch: `--flag` alone turns it on; its env variable takes 1/true/yes or 0/false/no. */
  boolean?: true;
}

function field<T>(f: Field<T>): Field<T> {
  return f;
}

const integer = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

const originList = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((o) => o.trim())
      .filter((o) => o !== ""),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(/^https?:\/\/[^/\s]+$/)
        .transform((o) => new URL(o).origin),
    ),
  );

const onOff = z
  .string()
  .regex(/^(1|0|true|false|yes|no)$/i)
  .transform((v) => /^(1|true|yes)$/i.test(v));

export const SERVE_FIELDS = {
  port: field({
    flag: "port",
    env: "PORT",
    default: "4680",
    schema: integer(0, 65535),
    expected: "an integer from 0 to 65535 (0 picks a free port)",
  }),
  host: field({
    flag: "host",
    env: "HOST",
    default: "127.0.0.1",
    schema: z.string().regex(/^[A-Za-z0-9.:[\]-]+$/),
    expected: "a host name or IP address to listen on",
  }),
  databaseUrl: field({
    flag: "database-url",
    env: "DATABASE_URL",
    default: undefined,
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//)
      .refine((u) => URL.canParse(u)),
    expected: "a postgres:// or postgresql:// URL (unset: embedded PGlite in the data dir)",
  }),
  dataDir: field({
    flag: "data-dir",
    env: "CLAUDE_POOL_DATA_DIR",
    default: ".claude-pool/data",
    schema: z.string().min(1),
    expected: "a directory path",
  }),
  claudeBin: field({
    flag: "claude-bin",
    env: "CLAUDE_POOL_BIN",
    default: undefined,
    schema: z.string().min(1),
    expected: "the path or command name of the Claude Code CLI",
  }),
  webOrigins: field({
    flag: "web-origin",
    env: "CLAUDE_POOL_WEB_ORIGIN",
    default: "",
    schema: originList,
    expected: "comma-separated origins like http://127.0.0.1:3000 (scheme, host and port, no path)",
  }),
  publicUrl: field({
    flag: "public-url",
    env: "CLAUDE_POOL_PUBLIC_URL",
    default: undefined,
    schema: z
      .string()
      .regex(/^https?:\/\//)
      .refine((u) => URL.canParse(u))
      .transform((u) => u.replace(/\/+$/, "")),
    expected: "the http(s) URL clients reach this engine at (default http://<host>:<port>)",
  }),
  graceMs: field({
    flag: "grace-ms",
    env: "CLAUDE_POOL_GRACE_MS",
    default: "30000",
    schema: integer(0, 24 * 3600 * 1000),
    expected: "milliseconds running tasks may take to finish at shutdown (an integer ≥ 0)",
  }),
  leaseMs: field({
    flag: "lease-ms",
    env: "CLAUDE_POOL_LEASE_MS",
    default: "30000",
    schema: integer(1000, 3600 * 1000),
    expected: "milliseconds a task's lease lasts before another engine may take it over (1000 or more)",
  }),
  engineId: field({
    flag: "engine-id",
    env: "CLAUDE_POOL_ENGINE_ID",
    default: undefined,
    schema: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    expected: "1 to 64 letters, digits, '.', '_' or '-' (default: one kept in the data dir)",
  }),
  sseStallMs: field({
    flag: "sse-stall-ms",
    env: "CLAUDE_POOL_SSE_STALL_MS",
    default: "30000",
    schema: integer(100, 3600 * 1000),
    expected:
      "milliseconds a response (an SSE subscription) may go without its socket draining before the engine closes it (100 or more)",
  }),
  tokenRateLimit: field({
    flag: "token-rate-limit",
    env: "CLAUDE_POOL_TOKEN_RATE_LIMIT",
    default: "6000",
    schema: integer(1, 10_000_000),
    expected: "requests one API token may make per minute, an integer ≥ 1 (set when a token is minted)",
  }),
  allowPrivateWebhooks: field({
    flag: "allow-private-webhooks",
    env: "CLAUDE_POOL_ALLOW_PRIVATE_WEBHOOKS",
    default: "false",
    schema: onOff,
    expected:
      "1, true, yes, 0, false or no: let webhooks reach loopback, link-local and private addresses (SSRF; default refused)",
    boolean: true,
  }),
} as const;

export type ServeFieldName = keyof typeof SERVE_FIELDS;
