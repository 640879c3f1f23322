import { TRPCError } from "@trpc/server";
import { expect, it } from "vitest";
import { createFirstOwner, FirstOwnerError } from "../../src/auth/first-owner.js";
import { resolveCaller } from "../../src/context.js";
import { TEST_BASE_URL, TEST_PASSWORD, type TestApi } from "../helpers/harness.js";

/** Resolves with the TRPCError code a call fails with (fails the test if it succeeds). */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function messageOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return error.message;
    throw error;
  }
  throw new Error("expected the call to fail");
}

function bearer(token: string): Headers {
  return new Headers({ authorization: `Bearer ${token}` });
}

/** The behaviour of the auth, teams and tokens routers, run on PGlite and on Postgres. */
export function authSideSuite(getApi: () => TestApi): void {
  it("me lists the user and their teams with their role in each", async () => {
    const api = getApi();
    const team = await api.team({ name: "Acme Research" });
    const me = await team.viewer.call.auth.me();
    expect(me.user.email).toBe(team.viewer.email);
    expect(me.via).toBe("session");
    expect(me.teams).toEqual([
      { id: team.id, name: "Acme Research", slug: expect.stringMatching(/^acme-research/), role: "viewer" },
    ]);
    expect(await codeOf(api.call(null).auth.me())).toBe("UNAUTHORIZED");
  });

  it("creating a team makes the creator its owner; two teams of one name get distinct slugs", async () => {
    const api = getApi();
    const user = await api.signUp();
    const a = await user.call.teams.create({ name: "Same Name" });
    const b = await user.call.teams.create({ name: "Same Name" });
    expect(a.slug).not.toBe(b.slug);
    const list = await user.call.teams.list();
    expect(list.map((t) => [t.id, t.role])).toEqual([
      [a.id, "owner"],
      [b.id, "owner"],
    ]);
    const members = await user.call.teams.members({ teamId: a.id });
    expect(members).toEqual([expect.objectContaining({ userId: user.id, email: user.email, role: "owner" })]);
  });

  it("teams created at the same moment under one name all succeed with distinct slugs", async () => {
    const api = getApi();
    const user = await api.signUp();
    const created = await Promise.all(
      Array.from({ length: 5 }, () => user.call.teams.create({ name: "Race Team" })),
    );
    expect(new Set(created.map((t) => t.slug)).size).toBe(5);
  });

  it("inviting someone who is already a member is CONFLICT", async () => {
    const api = getApi();
    const team = await api.team();
    expect(
      await codeOf(
        team.owner.call.teams.invite({ teamId: team.id, email: team.viewer.email, role: "admin" }),
      ),
    ).toBe("CONFLICT");
  });

  it("a token may expire after a number of days", async () => {
    const api = getApi();
    const team = await api.team();
    const created = await team.admin.call.tokens.create({
      teamId: team.id,
      name: "short",
      role: "viewer",
      expiresInDays: 2,
    });
    const listed = (await team.admin.call.tokens.list({ teamId: team.id })).find((t) => t.id === created.id);
    const expiresInMs = new Date(listed?.expiresAt ?? 0).getTime() - Date.now();
    expect(expiresInMs).toBeGreaterThan(1.9 * 24 * 3600_000);
    expect(expiresInMs).toBeLessThanOrEqual(2 * 24 * 3600_000);
    expect(
      await messageOf(
        team.admin.call.tokens.create({ teamId: team.id, name: "long", role: "viewer", expiresInDays: 400 }),
      ),
    ).toBe("expiresInDays: expiresInDays must be at most 365");
  });

  it("an invitation is accepted only by its addressee, once", async () => {
    const api = getApi();
    const owner = await api.signUp();
    const { id: teamId } = await owner.call.teams.create({ name: "Invites" });
    const invitee = await api.signUp();
    const stranger = await api.signUp();
    const { invitationId } = await owner.call.teams.invite({
      teamId,
      email: invitee.email.toUpperCase(),
      role: "member",
    });
    expect(await invitee.call.teams.invitations()).toEqual([
      expect.objectContaining({ id: invitationId, teamId, teamName: "Invites", role: "member" }),
    ]);
    expect(await codeOf(stranger.call.teams.acceptInvitation({ invitationId }))).toBe("NOT_FOUND");
    expect(await invitee.call.teams.acceptInvitation({ invitationId })).toEqual({ teamId, role: "member" });
    expect(await codeOf(invitee.call.teams.acceptInvitation({ invitationId }))).toBe("NOT_FOUND");
    expect(await invitee.call.teams.invitations()).toEqual([]);
    const roles = (await owner.call.teams.members({ teamId })).map((m) => [m.email, m.role]);
    expect(roles).toContainEqual([invitee.email, "member"]);
  });

  it("owners change roles and remove members, but a team always keeps an owner", async () => {
    const api = getApi();
    const team = await api.team();
    await team.owner.call.teams.setRole({ teamId: team.id, userId: team.admin.id, role: "viewer" });
    expect(await codeOf(team.admin.call.teams.setBudget({ teamId: team.id, monthlyUsd: 1 }))).toBe(
      "FORBIDDEN",
    );
    expect(
      await codeOf(team.owner.call.teams.setRole({ teamId: team.id, userId: team.owner.id, role: "admin" })),
    ).toBe("CONFLICT");
    expect(await codeOf(team.owner.call.teams.removeMember({ teamId: team.id, userId: team.owner.id }))).toBe(
      "CONFLICT",
    );
    // With a second owner, the first may step down.
    await team.owner.call.teams.setRole({ teamId: team.id, userId: team.member.id, role: "owner" });
    await team.owner.call.teams.setRole({ teamId: team.id, userId: team.owner.id, role: "admin" });
    expect((await team.owner.call.teams.list())[0]?.role).toBe("admin");

    await team.member.call.teams.removeMember({ teamId: team.id, userId: team.viewer.id });
    expect(await team.viewer.call.teams.list()).toEqual([]);
    expect(await codeOf(team.viewer.call.teams.members({ teamId: team.id }))).toBe("NOT_FOUND");
    expect(
      await codeOf(team.member.call.teams.removeMember({ teamId: team.id, userId: team.viewer.id })),
    ).toBe("NOT_FOUND");
  });

  it("the team budget is set in USD, read back in USD, and cleared with null", async () => {
    const api = getApi();
    const team = await api.team();
    expect(await team.admin.call.teams.setBudget({ teamId: team.id, monthlyUsd: 12.5 })).toEqual({
      teamId: team.id,
      monthlyBudgetUsd: 12.5,
    });
    expect((await team.viewer.call.teams.list())[0]?.monthlyBudgetUsd).toBe(12.5);
    const message = await messageOf(team.admin.call.teams.setBudget({ teamId: team.id, monthlyUsd: -1 }));
    expect(message).toBe("monthlyUsd: monthlyUsd must not be negative");
    expect((await team.viewer.call.teams.list())[0]?.monthlyBudgetUsd).toBe(12.5);
    await team.owner.call.teams.setBudget({ teamId: team.id, monthlyUsd: null });
    expect((await team.viewer.call.teams.list())[0]?.monthlyBudgetUsd).toBeNull();
  });

  it("bad input is BAD_REQUEST naming the field, and changes nothing", async () => {
    const api = getApi();
    const user = await api.signUp();
    expect(await messageOf(user.call.teams.create({ name: "  " }))).toBe("name: name must not be empty");
    expect(await user.call.teams.list()).toEqual([]);
    const { id: teamId } = await user.call.teams.create({ name: "Bad Input" });
    expect(await messageOf(user.call.teams.invite({ teamId, email: "not-an-address", role: "member" }))).toBe(
      "email: email must be an e-mail address",
    );
    const wrongRole = await messageOf(
      user.call.tokens.create({ teamId, name: "x", role: "superuser" as unknown as "viewer" }),
    );
    expect(wrongRole).toBe("role: role must be one of viewer, member, admin, owner");
    expect(await user.call.tokens.list({ teamId })).toEqual([]);
  });

  it("a token is shown once, stored hashed, confined to its team and role, and records its last use", async () => {
    const api = getApi();
    const team = await api.team();
    const other = await api.team();
    const created = await team.admin.call.tokens.create({ teamId: team.id, name: "ci", role: "member" });
    expect(created.token.startsWith("cp_")).toBe(true);
    const stored = await api.database.db.query.apiTokens.findFirst({
      where: (t, { eq }) => eq(t.id, created.id),
    });
    expect(stored?.key).toBeDefined();
    expect(stored?.key).not.toContain(created.token.slice(3));

    const before = await team.admin.call.tokens.list({ teamId: team.id });
    expect(before).toEqual([
      expect.objectContaining({
        id: created.id,
        name: "ci",
        role: "member",
        revoked: false,
        lastUsedAt: null,
      }),
    ]);
    expect(JSON.stringify(before)).not.toContain(created.token);

    const caller = await resolveCaller(api, bearer(created.token));
    expect(caller).toEqual({
      kind: "token",
      tokenId: created.id,
      userId: team.admin.id,
      teamId: team.id,
      role: "member",
    });
    const asToken = api.call(caller);
    expect((await asToken.auth.me()).teams).toEqual([
      expect.objectContaining({ id: team.id, role: "member" }),
    ]);
    expect(await codeOf(asToken.teams.members({ teamId: other.id }))).toBe("NOT_FOUND");
    expect(await codeOf(asToken.teams.setBudget({ teamId: team.id, monthlyUsd: 5 }))).toBe("FORBIDDEN");
    expect(await codeOf(asToken.teams.create({ name: "escape" }))).toBe("FORBIDDEN");

    const after = await team.admin.call.tokens.list({ teamId: team.id });
    expect(after[0]?.lastUsedAt).toEqual(expect.any(String));
  });

  it("a revoked token stops at once; nobody grants a role above their own", async () => {
    const api = getApi();
    const team = await api.team();
    expect(await codeOf(team.admin.call.tokens.create({ teamId: team.id, name: "x", role: "owner" }))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(team.member.call.tokens.create({ teamId: team.id, name: "x", role: "viewer" }))).toBe(
      "FORBIDDEN",
    );
    const token = await api.token(team.owner, team.id, "admin");
    // An admin token may mint tokens up to admin (what `claude-pool token create` does).
    const minted = await token.call.tokens.create({ teamId: team.id, name: "child", role: "viewer" });
    expect(await resolveCaller(api, bearer(minted.token))).toMatchObject({ role: "viewer" });

    expect(await codeOf(team.viewer.call.tokens.revoke({ id: token.id }))).toBe("FORBIDDEN");
    const outsider = await api.team();
    expect(await codeOf(outsider.owner.call.tokens.revoke({ id: token.id }))).toBe("NOT_FOUND");
    expect(await team.admin.call.tokens.revoke({ id: token.id })).toEqual({ id: token.id, revoked: true });
    expect(await resolveCaller(api, bearer(token.token))).toBeNull();
    const listed = await team.owner.call.tokens.list({ teamId: team.id });
    expect(listed.find((t) => t.id === token.id)?.revoked).toBe(true);
  });

  it("a token can do no more than its owner can now: demotion caps it, removal ends it", async () => {
    const api = getApi();
    const team = await api.team();
    const token = await api.token(team.admin, team.id, "admin");
    await team.owner.call.teams.setRole({ teamId: team.id, userId: team.admin.id, role: "viewer" });
    expect(await resolveCaller(api, bearer(token.token))).toMatchObject({ role: "viewer" });
    await team.owner.call.teams.removeMember({ teamId: team.id, userId: team.admin.id });
    expect(await resolveCaller(api, bearer(token.token))).toBeNull();
  });

  it("a token keeps working well past the plugin's default of 10 uses a day", async () => {
    const api = getApi();
    const team = await api.team();
    const token = await api.token(team.member, team.id, "member");
    for (let i = 0; i < 25; i++) {
      expect(await resolveCaller(api, bearer(token.token))).not.toBeNull();
    }
  });

  it("a garbage or unknown bearer token is anonymous", async () => {
    const api = getApi();
    expect(await resolveCaller(api, bearer("cp_notarealtoken"))).toBeNull();
    expect(await resolveCaller(api, new Headers({ authorization: "Bearer " }))).toBeNull();
    expect(await resolveCaller(api, new Headers())).toBeNull();
  });

  it("a session cookie from signing in identifies the user", async () => {
    const api = getApi();
    const user = await api.signUp({ password: true });
    const signIn = await api.auth.api.signInEmail({
      body: { email: user.email, password: TEST_PASSWORD },
      returnHeaders: true,
    });
    const setCookie = signIn.headers.get("set-cookie") ?? "";
    const cookie = setCookie
      .split(/,(?=\s*[\w.-]+=)/)
      .map((c) => c.split(";")[0]?.trim())
      .join("; ");
    expect(await resolveCaller(api, new Headers({ cookie }))).toEqual({
      kind: "session",
      userId: user.id,
      email: user.email,
      name: user.name,
    });
    const session = { kind: "session", userId: user.id, email: user.email, name: user.name };
    // The dashboard's origin (trusted) and the engine's own may use the cookie; another site may not.
    expect(await resolveCaller(api, new Headers({ cookie, origin: "http://127.0.0.1:3000" }))).toEqual(
      session,
    );
    expect(await resolveCaller(api, new Headers({ cookie, origin: TEST_BASE_URL }))).toEqual(session);
    expect(await resolveCaller(api, new Headers({ cookie, origin: "https://evil.example" }))).toBeNull();
    expect(await resolveCaller(api, new Headers({ cookie: "better-auth.session_token=forged" }))).toBeNull();
  });

  it("createFirstOwner makes a user, their team and an owner token without any server", async () => {
    const api = getApi();
    const email = `first-${Date.now()}@example.test`;
    const first = await createFirstOwner(api, { email, password: TEST_PASSWORD, teamName: "First Team" });
    const caller = await resolveCaller(api, bearer(first.token));
    expect(caller).toEqual({
      kind: "token",
      tokenId: first.tokenId,
      userId: first.userId,
      teamId: first.teamId,
      role: "owner",
    });
    const me = await api.call(caller).auth.me();
    expect(me.teams).toEqual([
      expect.objectContaining({ id: first.teamId, name: "First Team", role: "owner" }),
    ]);
    const signIn = await api.auth.api.signInEmail({ body: { email, password: TEST_PASSWORD } });
    expect(signIn.user.id).toBe(first.userId);
    await expect(
      createFirstOwner(api, { email, password: TEST_PASSWORD, teamName: "Again" }),
    ).rejects.toThrow(FirstOwnerError);
    await expect(
      createFirstOwner(api, { email: "second@example.test", password: "short", teamName: "T" }),
    ).rejects.toThrow("password must be at least 8 characters");
    await expect(
      createFirstOwner(api, { email: "nope", password: TEST_PASSWORD, teamName: "T" }),
    ).rejects.toThrow('email must be an e-mail address (got "nope")');
    // Nothing was created by the refused attempts.
    expect(
      await api.auth.api
        .signInEmail({ body: { email: "second@example.test", password: "short" } })
        .catch(() => null),
    ).toBeNull();
  });
}
