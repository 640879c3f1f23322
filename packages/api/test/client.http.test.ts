import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TaskNotFound } from "@claude-pool/core";
import { type TRPCClient, TRPCClientError } from "@trpc/client";
import { tracked } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { toNodeHandler } from "better-auth/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createPoolClient } from "../src/client.js";
import { createContextFromRequest } from "../src/context.js";
import { appRouter } from "../src/root.js";
import { protectedProcedure, router } from "../src/trpc.js";
import { createTestApi, type TestApi, type TestTeam } from "./helpers/harness.js";

/**
 * The client and the context over real HTTP (node:http + tRPC's handler, as the engine mounts
 * them): the token rides in a header for queries, mutations and the SSE stream alike, and errors
 * reach the client with our codes and messages and no stack.
 */

// The app router plus one subscription and one failing procedure, to test the links and the
// error path without depending on the domain routers.
const testRouter = router({
  ...appRouter._def.record,
  probe: router({
    ticks: protectedProcedure
      .input(z.object({ count: z.number().int().min(1) }))
      .subscription(async function* ({ ctx, input }) {
        for (let i = 1; i <= input.count; i++) yield tracked(String(i), { i, userId: ctx.caller.userId });
      }),
    // A domain error raised after the stream started, past the error-mapping middleware.
    vanishing: protectedProcedure.subscription(async function* () {
      yield tracked("1", { step: 1 });
      throw new TaskNotFound("0190aaaa-0000-7000-8000-000000000000");
    }),
    crash: protectedProcedure.query(() => {
      throw new Error("secret internal detail at /srv/db.ts:42");
    }),
  }),
});
type TestRouter = typeof testRouter;

let api: TestApi;
let team: TestTeam;
let server: Server;
let url: string;

beforeAll(async () => {
  api = await createTestApi({ database: "pglite" });
  team = await api.team();
  const handler = createHTTPHandler({
    router: testRouter,
    basePath: "/trpc/",
    createContext: ({ req, res }) => createContextFromRequest({ req, res, inner: api }),
  });
  const authHandler = toNodeHandler(api.auth);
  server = createServer((req, res) => {
    if (req.url?.startsWith("/trpc/")) handler(req, res);
    else if (req.url?.startsWith("/api/auth/")) void authHandler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await api?.close();
});

function clientFor(token: string): TRPCClient<TestRouter> {
  // createPoolClient is typed for AppRouter; the extra test procedures exist at run time.
  return createPoolClient({ url, token }) as unknown as TRPCClient<TestRouter>;
}

describe("createPoolClient over HTTP", () => {
  it("queries and mutations carry the token", async () => {
    const { token } = await api.token(team.admin, team.id, "admin");
    const client = clientFor(token);
    const me = await client.auth.me.query();
    expect(me).toMatchObject({
      user: { id: team.admin.id },
      via: "token",
      teams: [{ id: team.id, role: "admin" }],
    });
    const created = await client.tokens.create.mutate({ teamId: team.id, name: "from-http", role: "viewer" });
    const listed = await client.tokens.list.query({ teamId: team.id });
    expect(listed.map((t) => t.id)).toContain(created.id);
  });

  it("subscriptions stream over SSE with the token in a header", async () => {
    const { token } = await api.token(team.member, team.id, "member");
    const client = clientFor(token);
    const received = await new Promise<{ id: string; i: number; userId: string }[]>((resolve, reject) => {
      const seen: { id: string; i: number; userId: string }[] = [];
      const sub = client.probe.ticks.subscribe(
        { count: 3 },
        {
          onData: (event) => {
            seen.push({ id: event.id, ...event.data });
            if (seen.length === 3) {
              sub.unsubscribe();
              resolve(seen);
            }
          },
          onError: reject,
        },
      );
    });
    expect(received).toEqual([
      { id: "1", i: 1, userId: team.member.id },
      { id: "2", i: 2, userId: team.member.id },
      { id: "3", i: 3, userId: team.member.id },
    ]);
  });

  it("an error raised mid-stream reaches the subscriber mapped (NOT_FOUND), with no stack", async () => {
    const { token } = await api.token(team.member, team.id, "member");
    const client = clientFor(token);
    const failure = await new Promise<TRPCClientError<TestRouter>>((resolve, reject) => {
      const sub = client.probe.vanishing.subscribe(undefined, {
        onError: (error) => {
          sub.unsubscribe();
          resolve(error);
        },
        onComplete: () => reject(new Error("completed without an error")),
      });
    });
    expect(failure.data?.code).toBe("NOT_FOUND");
    expect(failure.message).toBe("task not found: 0190aaaa-0000-7000-8000-000000000000");
    expect(JSON.stringify(failure.shape)).not.toContain("stack");
  });

  it("a missing or revoked token is UNAUTHORIZED, a bad input names the field, an internal error hides its details", async () => {
    const anonymous = clientFor("cp_not-a-token");
    const unauthorized = await anonymous.auth.me.query().catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(TRPCClientError);
    expect((unauthorized as TRPCClientError<TestRouter>).data?.code).toBe("UNAUTHORIZED");
    expect((unauthorized as TRPCClientError<TestRouter>).data?.httpStatus).toBe(401);

    const { token } = await api.token(team.owner, team.id, "owner");
    const client = clientFor(token);
    const bad = (await client.teams.setBudget
      .mutate({ teamId: team.id, monthlyUsd: -5 })
      .catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(bad.message).toBe("monthlyUsd: monthlyUsd must not be negative");
    expect(bad.data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      issues: [{ field: "monthlyUsd", message: "monthlyUsd must not be negative" }],
    });
    expect(JSON.stringify(bad.shape)).not.toContain("stack");

    const crash = (await client.probe.crash.query().catch((e: unknown) => e)) as TRPCClientError<TestRouter>;
    expect(crash.data?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(crash.message).not.toContain("secret");
    expect(JSON.stringify(crash.shape)).not.toContain("secret");
    expect(JSON.stringify(crash.shape)).not.toContain("stack");
  });
});

const DASHBOARD = "http://127.0.0.1:3000";

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("browser sessions over HTTP", () => {
  it("sign-up from the dashboard's origin gives a cookie that tRPC accepts from that origin only", async () => {
    const email = `browser-${Date.now()}@example.test`;
    const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: DASHBOARD },
      body: JSON.stringify({ email, password: "long enough password", name: "Browser User" }),
    });
    expect(signUp.status).toBe(200);
    const cookie = cookiesOf(signUp);
    expect(cookie).toContain("session_token=");

    const me = await fetch(`${url}/trpc/auth.me`, { headers: { cookie, origin: DASHBOARD } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ result: { data: { user: { email }, via: "session" } } });

    const crossSite = await fetch(`${url}/trpc/auth.me`, {
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(401);
  });

  it("better-auth refuses a sign-up from an untrusted origin", async () => {
    const response = await fetch(`${url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({
        email: `evil-${Date.now()}@example.test`,
        password: "long enough password",
        name: "E",
      }),
    });
    expect(response.status).toBe(403);
  });

  it("tokens and team changes cannot bypass the API through better-auth's own endpoints", async () => {
    const email = `bypass-${Date.now()}@example.test`;
    const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: DASHBOARD },
      body: JSON.stringify({ email, password: "long enough password", name: "Bypass" }),
    });
    const cookie = cookiesOf(signUp);
    for (const [path, body] of [
      ["/api-key/create", { name: "sneaky", metadata: { teamId: team.id, role: "owner" } }],
      ["/organization/create", { name: "Sneaky", slug: "sneaky" }],
      ["/organization/update-member-role", { memberId: "x", role: "owner" }],
    ] as const) {
      const response = await fetch(`${url}/api/auth${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: DASHBOARD, cookie },
        body: JSON.stringify(body),
      });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });
});
