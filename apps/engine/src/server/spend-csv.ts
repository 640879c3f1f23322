import type { IncomingMessage, ServerResponse } from "node:http";
import { createContextFromRequest, type InnerContext, spendCsv } from "@claude-pool/api";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { sendJson } from "./request-listener.js";

/**
 * `GET /reports/spend.csv?teamId=…&from=…&to=…&bucket=…&groupBy=…`: the api package's `spendCsv`
 * (same authorization and validation as `reports.spend`). Its TRPCErrors answer with their HTTP
 * status and message as JSON.
 */
export async function serveSpendCsv(
  inner: Omit<InnerContext, "caller">,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  try {
    const ctx = await createContextFromRequest({ req, res, inner });
    const csv = await spendCsv(ctx, url.searchParams);
    res.writeHead(200, {
      "content-type": csv.contentType,
      "content-disposition": `attachment; filename="${csv.filename.replace(/[^\w.-]/g, "_")}"`,
    });
    res.end(csv.body);
  } catch (error) {
    if (error instanceof TRPCError) {
      sendJson(res, getHTTPStatusCodeFromError(error), { error: error.message, code: error.code });
      return;
    }
    throw error;
  }
}
