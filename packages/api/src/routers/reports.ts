import { microsToUsd } from "@claude-pool/core";
import { REPORT_BUCKETS, REPORT_DIMENSIONS, type ReportRow, spendReport } from "@claude-pool/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { InnerContext } from "../context.js";
import { toTRPCError } from "../errors.js";
import { requireTeamRole, router, teamProcedure } from "../trpc.js";

const day = (field: string) =>
  z
    .string({ error: `${field} must be a date` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a UTC day, YYYY-MM-DD`)
    .refine(
      (d) =>
        !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
      {
        message: `${field} must be a real calendar day`,
      },
    );

/** `from` is the first day included, `to` the first day not included. */
const reportQuery = z
  .object({
    from: day("from"),
    to: day("to"),
    bucket: z
      .enum(REPORT_BUCKETS, { error: `bucket must be one of ${REPORT_BUCKETS.join(", ")}` })
      .default("day"),
    groupBy: z
      .enum(REPORT_DIMENSIONS, { error: `groupBy must be one of ${REPORT_DIMENSIONS.join(", ")}` })
      .default("pool"),
    poolIds: z.array(z.string().min(1)).max(100).optional(),
  })
  .refine((q) => q.from < q.to, { path: ["to"], message: "to must be a later day than from" });

export interface SpendRowView {
  period: string;
  key: string | null;
  spendUsd: number;
  tokens: ReportRow["tokens"];
  tasks: number;
  tasksCompleted: number;
  tasksFailed: number;
  tasksCancelled: number;
}

function rowView(r: ReportRow): SpendRowView {
  return {
    period: r.period,
    key: r.key,
    spendUsd: microsToUsd(r.spendMicros),
    tokens: r.tokens,
    tasks: r.tasks,
    tasksCompleted: r.tasksCompleted,
    tasksFailed: r.tasksFailed,
    tasksCancelled: r.tasksCancelled,
  };
}

async function teamSpend(
  ctx: InnerContext,
  teamId: string,
  q: z.output<typeof reportQuery>,
): Promise<SpendRowView[]> {
  const rows = await spendReport(ctx.database.db, {
    teamId,
    from: q.from,
    to: q.to,
    bucket: q.bucket,
    groupBy: q.groupBy,
    ...(q.poolIds ? { poolIds: q.poolIds } : {}),
  });
  return rows.map(rowView);
}

export const reportsRouter = router({
  /** Spend, tokens and task counts of the team's pools per day, week or month, by one dimension. */
  spend: teamProcedure("viewer")
    .input(reportQuery)
    .query(({ ctx, input }) => teamSpend(ctx, ctx.team.id, input)),
});

export interface CsvResponse {
  contentType: string;
  filename: string;
  body: string;
}

/**
 * `GET /reports/spend.csv?teamId=…&from=…&to=…&bucket=…&groupBy=…[&poolIds=a,b]`: the report of
 * `reports.spend` as CSV, for the engine's HTTP server. Same auth and role as the procedure; throws
 * a TRPCError (UNAUTHORIZED, NOT_FOUND, FORBIDDEN, BAD_REQUEST naming the field), which the server
 * turns into its HTTP status with `getHTTPStatusCodeFromError`.
 */
export async function spendCsv(
  ctx: InnerContext,
  query: URLSearchParams | Record<string, string | undefined>,
): Promise<CsvResponse> {
  const params = query instanceof URLSearchParams ? Object.fromEntries(query) : query;
  try {
    const caller = ctx.caller;
    if (caller === null) {
      throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in or send Authorization: Bearer <token>" });
    }
    const teamId = z
      .string({ error: "teamId is required" })
      .min(1, "teamId is required")
      .parse(params.teamId);
    const q = reportQuery.parse({
      ...params,
      poolIds: params.poolIds ? params.poolIds.split(",").filter(Boolean) : undefined,
    });
    await requireTeamRole({ ...ctx, caller }, teamId, "viewer", { kind: "team", id: teamId });
    const rows = await teamSpend(ctx, teamId, q);
    return {
      contentType: "text/csv; charset=utf-8",
      filename: `spend-${q.from}-${q.to}-${q.bucket}-${q.groupBy}.csv`,
      body: spendRowsCsv(rows, q.groupBy),
    };
  } catch (error) {
    throw toTRPCError(error);
  }
}

export function spendRowsCsv(rows: readonly SpendRowView[], groupBy: string): string {
  const header = [
    "period",
    groupBy,
    "spend_usd",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "tasks",
    "tasks_completed",
    "tasks_failed",
    "tasks_cancelled",
  ];
  const lines = rows.map((r) =>
    [
      r.period,
      r.key ?? "",
      r.spendUsd.toFixed(6),
      r.tokens.input,
      r.tokens.output,
      r.tokens.cacheRead,
      r.tokens.cacheWrite,
      r.tasks,
      r.tasksCompleted,
      r.tasksFailed,
      r.tasksCancelled,
    ]
      .map((v) => csvField(String(v)))
      .join(","),
  );
  return `${[header.join(","), ...lines].join("\r\n")}\r\n`;
}

function csvField(v: string): string {
  // Quote what CSV needs quoted; prefix formula starters so a spreadsheet shows them as text.
  const safe = /^[=+\-@]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
