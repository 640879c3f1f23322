import { randomBytes } from "node:crypto";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  WEBHOOK_EVENTS,
} from "@claude-pool/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { notFound } from "../errors.js";
import { protectedProcedure, requireTeamRole, router, teamProcedure } from "../trpc.js";
import { checkWebhookUrl, DEFAULT_WEBHOOK_URL_POLICY, WebhookUrlRefused } from "../webhooks/url-policy.js";
import { nonEmpty } from "./inputs.js";

const urlInput = z
  .string({ error: "url must be a string" })
  .trim()
  .max(2000, "url must be at most 2000 characters")
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
    message: "url must be an http:// or https:// URL",
  });

const eventsInput = z
  .array(z.enum(WEBHOOK_EVENTS, { error: `events must each be one of ${WEBHOOK_EVENTS.join(", ")}` }), {
    error: "events must be a list of event names",
  })
  .min(1, "events must name at least one event");

const secretInput = z
  .string({ error: "secret must be a string" })
  .min(16, "secret must be at least 16 characters")
  .max(200, "secret must be at most 200 characters");

function endpointView(e: {
  id: string;
  url: string;
  events: string[];
  description: string;
  createdAt: Date;
}) {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    createdAt: e.createdAt.toISOString(),
  };
}

/**
 * A team's webhooks (admin role): JSON POSTs of task, chain and budget events, each signed with
 * HMAC-SHA256 of the body (`X-Claude-Pool-Signature: sha256=<hex>`) under the endpoint's secret.
 * The secret is returned once, by `create`; lists never carry it.
 */
export const webhooksRouter = router({
  create: teamProcedure("admin")
    .input(
      z.object({
        url: urlInput,
        events: eventsInput,
        secret: secretInput.optional(),
        description: z.string({ error: "description must be a string" }).max(500).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // SSRF: no webhook to the engine's own machine or network unless the engine allows it.
      await checkWebhookUrl(input.url, ctx.webhookUrlPolicy ?? DEFAULT_WEBHOOK_URL_POLICY).catch(
        (error: unknown) => {
          if (error instanceof WebhookUrlRefused) {
            throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
          }
          throw error;
        },
      );
      const secret = input.secret ?? `whsec_${randomBytes(24).toString("base64url")}`;
      const row = await createWebhookEndpoint(ctx.database.db, {
        teamId: ctx.team.id,
        url: input.url,
        events: input.events,
        secret,
        ...(input.description !== undefined ? { description: input.description } : {}),
        createdBy: ctx.caller.userId,
      });
      return { ...endpointView(row), secret };
    }),

  list: teamProcedure("admin").query(async ({ ctx }) => {
    return (await listWebhookEndpoints(ctx.database.db, ctx.team.id)).map(endpointView);
  }),

  /** Deletes the webhook and its deliveries; pending ones are never sent. */
  delete: protectedProcedure.input(z.object({ id: nonEmpty("id") })).mutation(async ({ ctx, input }) => {
    const endpoint = await getWebhookEndpoint(ctx.database.db, input.id);
    if (!endpoint) throw notFound("webhook", input.id);
    await requireTeamRole(ctx, endpoint.teamId, "admin", { kind: "webhook", id: input.id });
    await deleteWebhookEndpoint(ctx.database.db, input.id);
    return { id: input.id, deleted: true as const };
  }),

  /** Recent deliveries, newest first: status, attempts, the last response code and error. */
  deliveries: teamProcedure("admin")
    .input(
      z.object({
        webhookId: nonEmpty("webhookId").optional(),
        limit: z
          .number({ error: "limit must be a number" })
          .int("limit must be a whole number")
          .min(1, "limit must be at least 1")
          .max(500, "limit must be at most 500")
          .optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      if (input.webhookId !== undefined) {
        const endpoint = await getWebhookEndpoint(ctx.database.db, input.webhookId);
        if (!endpoint || endpoint.teamId !== ctx.team.id) throw notFound("webhook", input.webhookId);
      }
      const rows = await listWebhookDeliveries(ctx.database.db, {
        teamId: ctx.team.id,
        ...(input.webhookId !== undefined ? { endpointId: input.webhookId } : {}),
        limit: input.limit ?? 50,
      });
      return rows.map((d) => ({
        id: d.id,
        webhookId: d.endpointId,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        maxAttempts: d.maxAttempts,
        responseCode: d.responseCode,
        lastError: d.lastError,
        nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
        lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
        deliveredAt: d.deliveredAt?.toISOString() ?? null,
        createdAt: d.createdAt.toISOString(),
        payload: d.payload,
      }));
    }),
});
