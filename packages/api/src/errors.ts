import { PoolError } from "@claude-pool/core";
import { isOutage } from "@claude-pool/db";
import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { APIError } from "better-auth";
import { ZodError } from "zod";

/**
 * The one place where a domain error becomes a tRPC error. Everything a caller can cause maps to a
 * 4xx code with a message we wrote; anything else is INTERNAL_SERVER_ERROR with a fixed message
 * (the original stays on `cause` for the engine's log, never in the response).
 */

/** What a client reads in place of an internal error's message. */
export const INTERNAL_MESSAGE = "internal error: the engine logged the details";

/** pool-core's codes → tRPC's. A code missing here (none should be) becomes INTERNAL_SERVER_ERROR. */
const POOL_CODES: Record<PoolError["code"], TRPC_ERROR_CODE_KEY> = {
  BUDGET_EXCEEDED: "PRECONDITION_FAILED",
  TASK_NOT_FOUND: "NOT_FOUND",
  SLOT_NOT_FOUND: "NOT_FOUND",
  SKILL_NOT_FOUND: "NOT_FOUND",
  CHAIN_NOT_FOUND: "NOT_FOUND",
  INVALID_OPTIONS: "BAD_REQUEST",
  INVALID_CHAIN: "BAD_REQUEST",
  INVALID_SKILL_ARGUMENTS: "BAD_REQUEST",
  POOL_DRAINING: "CONFLICT",
  NO_SLOTS_AVAILABLE: "CONFLICT",
  CANCELLED: "CONFLICT",
  TASK_FAILED: "CONFLICT",
  TIMEOUT: "TIMEOUT",
  QUOTA_EXHAUSTED: "TOO_MANY_REQUESTS",
  CLAUDE_CLI_NOT_FOUND: "INTERNAL_SERVER_ERROR",
  WORKTREE_ERROR: "INTERNAL_SERVER_ERROR",
};

/** better-auth's HTTP statuses → tRPC codes, for its server API called from a procedure. */
const STATUS_CODES: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  422: "BAD_REQUEST",
  429: "TOO_MANY_REQUESTS",
};

/** An error whose message names the field: `field: message` per zod issue, one per line. */
export function zodIssueLines(error: ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join(".") : "input"}: ${issue.message}`,
  );
}

/**
 * Errors with a stable `code` that our own modules (db domain functions, the host) throw and that
 * are not pool-core's: `NOT_FOUND`-like codes end in `_NOT_FOUND`, conflicts in `_CONFLICT` or
 * `_EXISTS`, bad input in `INVALID_*`.
 */
function codeFromName(code: string): TRPC_ERROR_CODE_KEY | null {
  if (code.endsWith("NOT_FOUND") || code === "POOL_NOT_RUNNING") return "NOT_FOUND";
  if (code.endsWith("_EXISTS") || code.endsWith("_CONFLICT")) return "CONFLICT";
  if (code.startsWith("INVALID_")) return "BAD_REQUEST";
  if (code.endsWith("_FORBIDDEN")) return "FORBIDDEN";
  return null;
}

/** Maps anything a procedure threw to the TRPCError a client sees. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) {
    // Input validation: tRPC's message is zod's JSON; callers get `field: message` lines instead.
    if (error.code === "BAD_REQUEST" && error.cause instanceof ZodError) {
      return new TRPCError({
        code: "BAD_REQUEST",
        message: zodIssueLines(error.cause).join("\n"),
        cause: error.cause,
      });
    }
    // tRPC wraps a resolver's own throw as INTERNAL_SERVER_ERROR with the original as cause.
    if (error.code === "INTERNAL_SERVER_ERROR" && error.cause !== undefined && error.cause !== error) {
      const inner = toTRPCError(error.cause);
      return inner.code === "INTERNAL_SERVER_ERROR" ? internal(error.cause) : inner;
    }
    return error;
  }
  if (error instanceof ZodError) {
    return new TRPCError({ code: "BAD_REQUEST", message: zodIssueLines(error).join("\n"), cause: error });
  }
  // The database out of reach (restarting, connections dropped) is not the engine's bug: 503, retry.
  if (isOutage(error)) return unavailable(error);
  if (error instanceof PoolError) {
    const code = POOL_CODES[error.code] ?? "INTERNAL_SERVER_ERROR";
    return code === "INTERNAL_SERVER_ERROR"
      ? internal(error)
      : new TRPCError({ code, message: error.message, cause: error });
  }
  if (error instanceof APIError) {
    const code = STATUS_CODES[error.statusCode];
    if (code) return new TRPCError({ code, message: error.body?.message ?? error.message, cause: error });
    return internal(error);
  }
  if (error instanceof Error && "code" in error && typeof error.code === "string") {
    const code = codeFromName(error.code);
    if (code) return new TRPCError({ code, message: error.message, cause: error });
  }
  return internal(error);
}

export const UNAVAILABLE_MESSAGE = "the database is unreachable right now; try again in a moment";

export function unavailable(cause: unknown): TRPCError {
  return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: UNAVAILABLE_MESSAGE, cause });
}

function internal(cause: unknown): TRPCError {
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: INTERNAL_MESSAGE, cause });
}

/** Our own "this does not exist (for you)" error: one wording for unknown and other teams' ids. */
export function notFound(what: string, id: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message: `${what} not found: ${id}` });
}

/** Messages of a formatted error: the zod issues when the input failed validation. */
export function formatMessage(error: TRPCError): {
  message: string;
  issues?: { field: string; message: string }[];
} {
  const cause = error.cause;
  if (cause instanceof ZodError) {
    return {
      message: zodIssueLines(cause).join("\n"),
      issues: cause.issues.map((i) => ({
        field: i.path.length > 0 ? i.path.join(".") : "input",
        message: i.message,
      })),
    };
  }
  return { message: error.code === "INTERNAL_SERVER_ERROR" ? INTERNAL_MESSAGE : error.message };
}
