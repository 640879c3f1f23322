import { randomUUID } from "node:crypto";
import { apiKey } from "@better-auth/api-key";
import { InvalidOptions } from "@claude-pool/core";
import { type Database, schema } from "@claude-pool/db";
import { type BetterAuthOptions, betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { organization } from "better-auth/plugins/organization";
import { z } from "zod";
import { accessControl, organizationRoles } from "./roles.js";

export interface PoolAuthOptions {
  /** The engine's public URL (e.g. `http://127.0.0.1:4680`); better-auth serves under `/api/auth`. */
  baseURL: string;
  /** At least 32 random characters: signs session cookies. */
  secret: string;
  /** Origins allowed to call with cookies (the dashboard's), besides `baseURL` itself. */
  trustedOrigins?: string[];
  /** better-auth's logger settings (tests silence it). */
  logger?: BetterAuthOptions["logger"];
  /**
   * Requests one API token may make per window (default TOKEN_RATE_LIMIT). The api-key plugin
   * stores the allowance on each token when it is minted, so a change applies to new tokens.
   */
  tokenRateLimit?: { timeWindow: number; maxRequests: number };
}

/** Shortest password an account may have. */
export const MIN_PASSWORD_LENGTH = 8;

/** Prefix of every API token, so a leaked one is recognisable in logs and secret scanners. */
export const TOKEN_PREFIX = "cp_";

/**
 * Per-token request allowance. Every HTTP request a service makes verifies its token once, and the
 * plugin's default (10 a day) would stop a service after ten calls; a minute window of 6000 (100/s)
 * still stops a runaway loop.
 */
export const TOKEN_RATE_LIMIT = { enabled: true, timeWindow: 60_000, maxRequests: 6000 } as const;

/**
 * better-auth endpoints closed over HTTP (they stay callable from the server). Tokens and team
 * changes go through the tRPC procedures only, which keep what the plugins do not: a token's team
 * scope and role cap, a team's last owner, the tokens of a removed member. Reads, sign-up/in/out
 * and switching the active team stay open.
 */
export const CLOSED_AUTH_PATHS = [
  "/api-key/create",
  "/api-key/update",
  "/api-key/delete",
  "/api-key/get",
  "/api-key/list",
  "/organization/create",
  "/organization/update",
  "/organization/delete",
  "/organization/invite-member",
  "/organization/cancel-invitation",
  "/organization/accept-invitation",
  "/organization/reject-invitation",
  "/organization/remove-member",
  "/organization/update-member-role",
  "/organization/leave",
  "/organization/create-team",
  "/organization/update-team",
  "/organization/remove-team",
  "/organization/add-team-member",
  "/organization/remove-team-member",
  "/organization/create-role",
  "/organization/update-role",
  "/organization/delete-role",
];

/**
 * better-auth for claude-pool: e-mail and password accounts with cookie sessions, teams through
 * the organization plugin, API tokens through the api-key plugin, all in the tables of
 * `@claude-pool/db` (better-auth's models under our table names).
 *
 * @example
 * const auth = createPoolAuth(database, { baseURL: "http://127.0.0.1:4680", secret });
 * http.createServer(toNodeHandler(auth)); // mounted on /api/auth/* by the engine
 */
export function createPoolAuth(database: Database, options: PoolAuthOptions) {
  checkAuthOptions(options);
  return betterAuth({
    baseURL: options.baseURL,
    basePath: "/api/auth",
    secret: options.secret,
    trustedOrigins: options.trustedOrigins ?? [],
    disabledPaths: CLOSED_AUTH_PATHS,
    database: drizzleAdapter(database.db, {
      provider: "pg",
      schema: {
        users: schema.users,
        sessions: schema.sessions,
        accounts: schema.accounts,
        verifications: schema.verifications,
        teams: schema.teams,
        memberships: schema.memberships,
        invitations: schema.invitations,
        api_tokens: schema.apiTokens,
      },
    }),
    user: { modelName: "users" },
    session: { modelName: "sessions" },
    account: { modelName: "accounts" },
    verification: { modelName: "verifications" },
    emailAndPassword: { enabled: true, minPasswordLength: MIN_PASSWORD_LENGTH, autoSignIn: true },
    // better-auth skips its Origin/CSRF check under NODE_ENV=test unless told not to; we want the
    // same protection in tests as in production.
    // Ids are random UUIDs made here (the "uuid" setting would leave them to a column default we lack).
    advanced: { disableOriginCheck: false, database: { generateId: () => randomUUID() } },
    telemetry: { enabled: false },
    ...(options.logger ? { logger: options.logger } : {}),
    plugins: [
      organization({
        ac: accessControl,
        roles: organizationRoles,
        creatorRole: "owner",
        schema: {
          organization: { modelName: "teams" },
          member: { modelName: "memberships" },
          invitation: { modelName: "invitations" },
        },
      }),
      apiKey({
        defaultPrefix: TOKEN_PREFIX,
        enableMetadata: true,
        rateLimit: { enabled: true, ...(options.tokenRateLimit ?? TOKEN_RATE_LIMIT) },
        schema: { apikey: { modelName: "api_tokens" } },
      }),
    ],
  });
}

export type PoolAuth = ReturnType<typeof createPoolAuth>;

// Messages say what was expected: InvalidOptions words them as "expected …, got …".
const httpUrl = z.url({ error: "an http(s) URL" }).refine((u) => /^https?:\/\//.test(u), "an http(s) URL");

const authOptionsSchema = z.object({
  baseURL: httpUrl,
  secret: z
    .string({ error: "a string of at least 32 characters" })
    .min(32, "a string of at least 32 characters"),
  trustedOrigins: z.array(httpUrl, { error: "a list of http(s) URLs" }).optional(),
});

/** Refuses options better-auth would accept and misbehave with, naming the field (InvalidOptions). */
function checkAuthOptions(options: PoolAuthOptions): void {
  const parsed = authOptionsSchema.safeParse(options);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "options";
  const value = issue
    ? issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], options)
    : options;
  // Never echo a secret back.
  throw new InvalidOptions(
    field,
    field === "secret" ? "(hidden)" : value,
    issue?.message ?? "valid auth options",
  );
}
