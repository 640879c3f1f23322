export {
  createPoolAuth,
  MIN_PASSWORD_LENGTH,
  type PoolAuth,
  type PoolAuthOptions,
  TOKEN_PREFIX,
  TOKEN_RATE_LIMIT,
} from "./auth/create-auth.js";
export { createFirstOwner, FirstOwnerError } from "./auth/first-owner.js";
export { isRole, ROLES, roleAtLeast } from "./auth/roles.js";
export { issueToken } from "./auth/tokens.js";
export {
  type BrowserPoolClientOptions,
  createBrowserPoolClient,
  createPoolClient,
  type PoolClient,
  type PoolClientOptions,
  trpcUrl,
} from "./client.js";
export {
  bearerToken,
  type Caller,
  type Context,
  createContextFromRequest,
  createInnerContext,
  type InnerContext,
  type PoolHost,
  type Role,
  resolveCaller,
} from "./context.js";
export { INTERNAL_MESSAGE, toTRPCError } from "./errors.js";
export { createPoolHost, type PoolHostOptions } from "./host/index.js";
export { type AppRouter, appRouter, createCaller } from "./root.js";
export { type CsvResponse, spendCsv } from "./routers/reports.js";
export {
  ALLOW_PRIVATE_WEBHOOKS_ENV,
  ALLOW_PRIVATE_WEBHOOKS_FLAG,
  checkedLookup,
  checkWebhookUrl,
  DEFAULT_WEBHOOK_URL_POLICY,
  type PrivateKind,
  privateKindOf,
  type ResolveAll,
  type WebhookUrlPolicy,
  WebhookUrlRefused,
} from "./webhooks/url-policy.js";
