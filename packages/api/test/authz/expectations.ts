import { createInvitation, createTeam, createWebhookEndpoint } from "@claude-pool/db";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { roleAtLeast } from "../../src/auth/roles.js";
import type { Role } from "../../src/context.js";
import type { CallerName, MatrixFixtures } from "./fixtures.js";

/**
 * Who may call each procedure of the merged router. Every procedure needs an entry here (the
 * matrix fails on one without, and on an entry whose procedure is gone).
 *
 * `access` is the rule: "signed-in" (any session or valid token) or the lowest team role. From it
 * the matrix expects: anonymous and the revoked token → UNAUTHORIZED; for a role, another team's
 * admin → NOT_FOUND, a lower role → FORBIDDEN, the role and above → the call succeeds. `input`
 * builds a valid input for the caller (it runs before each call, so destructive procedures get a
 * target of their own); `except` overrides single cells. The matrix runs twice: with signed-in
 * users and with API tokens of the same roles; `sessionOnly` marks a procedure no token may call
 * (FORBIDDEN for every valid token).
 */
export interface Expectation {
  access: Role | "signed-in";
  input?: (f: MatrixFixtures, as: CallerName) => unknown | Promise<unknown>;
  except?: Partial<Record<CallerName, "allow" | TRPC_ERROR_CODE_KEY>>;
  sessionOnly?: true;
}

/** A team none of the matrix callers belongs to, to invite them into. */
const inviteTeam = (f: MatrixFixtures) =>
  f.once("inviteTeam", () =>
    createTeam(f.api.database.db, { name: "Invite Team", ownerId: f.otherTeam.owner.id }),
  );

export const expectations: Record<string, Expectation> = {
  // auth
  "auth.me": { access: "signed-in" },

  // teams
  "teams.list": { access: "signed-in" },
  "teams.create": { access: "signed-in", sessionOnly: true, input: () => ({ name: "Created In Matrix" }) },
  "teams.members": { access: "viewer", input: (f) => ({ teamId: f.team.id }) },
  "teams.invite": {
    access: "owner",
    input: (f) => ({ teamId: f.team.id, email: f.freshEmail(), role: "member" }),
  },
  "teams.invitations": { access: "signed-in", sessionOnly: true },
  "teams.acceptInvitation": {
    access: "signed-in",
    sessionOnly: true,
    input: async (f, as) => {
      const user = f.userOf(as);
      if (!user) return { invitationId: "00000000-0000-4000-8000-000000000000" };
      const team = await inviteTeam(f);
      const invitation = await createInvitation(f.api.database.db, {
        teamId: team.id,
        email: user.email,
        role: "viewer",
        inviterId: f.otherTeam.owner.id,
      });
      return { invitationId: invitation.id };
    },
  },
  "teams.setRole": {
    access: "owner",
    input: async (f) => ({ teamId: f.team.id, userId: (await f.freshMember("member")).id, role: "viewer" }),
  },
  "teams.removeMember": {
    access: "owner",
    input: async (f) => ({ teamId: f.team.id, userId: (await f.freshMember("viewer")).id }),
  },
  "teams.setBudget": { access: "admin", input: (f) => ({ teamId: f.team.id, monthlyUsd: 100 }) },

  // tokens
  "tokens.create": { access: "admin", input: (f) => ({ teamId: f.team.id, name: "matrix", role: "viewer" }) },
  "tokens.list": { access: "admin", input: (f) => ({ teamId: f.team.id }) },
  "tokens.revoke": {
    access: "admin",
    input: async (f) => ({ id: (await f.api.token(f.team.owner, f.team.id, "member", "to-revoke")).id }),
  },

  // pools, slots, tasks, chains, skills, context, reports (A1b): inputs point at `team`'s resources
  "pools.list": { access: "viewer", input: (f) => ({ teamId: f.team.id }) },
  "pools.get": { access: "viewer", input: async (f) => ({ poolId: await sharedPool(f) }) },
  "pools.create": {
    access: "admin",
    input: (f) => ({ teamId: f.team.id, name: `created ${f.freshEmail()}`, slots: 1, config: {} }),
  },
  "pools.update": {
    access: "admin",
    input: async (f, as) => ({ poolId: await poolFor(f, as, "admin"), budgetUsd: 100 }),
  },
  "pools.delete": { access: "admin", input: async (f, as) => ({ poolId: await poolFor(f, as, "admin") }) },
  "pools.status": { access: "viewer", input: async (f) => ({ poolId: await sharedPool(f) }) },
  "pools.drain": { access: "admin", input: async (f, as) => ({ poolId: await poolFor(f, as, "admin") }) },
  "pools.onStatus": { access: "viewer", input: async (f) => ({ poolId: await sharedPool(f) }) },
  "slots.configure": {
    access: "admin",
    input: async (f) => ({ poolId: await sharedPool(f), slotId: "slot-0", description: "matrix" }),
  },
  "tasks.submit": {
    access: "member",
    input: async (f) => ({ poolId: await sharedPool(f), prompt: "matrix" }),
  },
  "tasks.fanOut": {
    access: "member",
    input: async (f) => ({ poolId: await sharedPool(f), prompts: ["a", "b"] }),
  },
  "tasks.get": { access: "viewer", input: async (f) => ({ taskId: await sharedTask(f) }) },
  "tasks.result": { access: "viewer", input: async (f) => ({ taskId: await sharedTask(f), wait: true }) },
  "tasks.list": {
    access: "viewer",
    input: async (f) => ({ poolId: await sharedPool(f), status: "completed" }),
  },
  "tasks.cancel": { access: "member", input: async (f) => ({ taskId: await sharedTask(f) }) },
  "tasks.diff": { access: "viewer", input: async (f) => ({ taskId: await sharedTask(f) }) },
  "tasks.submitWithReview": {
    access: "member",
    input: async (f) => ({ poolId: await sharedPool(f), prompt: "matrix review" }),
  },
  "tasks.approve": { access: "member", input: async (f, as) => ({ taskId: await reviewFor(f, as) }) },
  "tasks.reject": {
    access: "member",
    input: async (f, as) => ({ taskId: await reviewFor(f, as), feedback: "again" }),
  },
  "tasks.onEvents": { access: "viewer", input: async (f) => ({ taskId: await sharedTask(f) }) },
  "chains.submit": {
    access: "member",
    input: async (f) => ({
      poolId: await sharedPool(f),
      steps: [{ name: "one", action: { type: "prompt", prompt: "hi" } }],
    }),
  },
  "chains.get": { access: "viewer", input: async (f) => ({ chainId: await sharedChain(f) }) },
  "chains.cancel": { access: "member", input: async (f) => ({ chainId: await sharedChain(f) }) },
  "chains.workflows": { access: "viewer", input: async (f) => ({ poolId: await sharedPool(f) }) },
  "chains.runWorkflow": {
    access: "member",
    input: async (f) => ({
      poolId: await sharedPool(f),
      name: "review_and_fix",
      arguments: { path: "src/" },
    }),
  },
  "chains.onProgress": { access: "viewer", input: async (f) => ({ chainId: await sharedChain(f) }) },
  "skills.list": { access: "viewer", input: async (f) => ({ poolId: await sharedPool(f) }) },
  "skills.get": {
    access: "viewer",
    input: async (f) => ({ poolId: await sharedPool(f), name: "code_review" }),
  },
  "skills.add": {
    access: "admin",
    input: async (f) => ({
      poolId: await sharedPool(f),
      skill: { name: "matrix_skill", prompt: "Say {word}", arguments: [{ name: "word" }] },
    }),
  },
  "skills.remove": {
    access: "admin",
    input: async (f) => ({ poolId: await sharedPool(f), name: await freshSkill(f) }),
  },
  "skills.run": {
    access: "member",
    input: async (f) => ({ poolId: await sharedPool(f), name: "code_review", arguments: { path: "src/" } }),
  },
  "context.list": { access: "viewer", input: async (f) => ({ poolId: await sharedPool(f) }) },
  "context.get": { access: "viewer", input: async (f) => ({ poolId: await sharedPool(f), key: "language" }) },
  "context.set": {
    access: "member",
    input: async (f) => ({ poolId: await sharedPool(f), key: "language", value: "rust" }),
  },
  "context.delete": {
    access: "member",
    input: async (f) => ({ poolId: await sharedPool(f), key: "language" }),
  },
  "reports.spend": {
    access: "viewer",
    input: (f) => ({
      teamId: f.team.id,
      from: "2026-01-01",
      to: "2027-01-01",
      bucket: "month",
      groupBy: "model",
    }),
  },

  // webhooks (A4)
  "webhooks.create": {
    access: "admin",
    // A public address (TEST-NET-3): loopback ones are refused (SSRF) unless the engine allows them.
    input: (f) => ({ teamId: f.team.id, url: "http://203.0.113.9/hook", events: ["task.completed"] }),
  },
  "webhooks.list": { access: "admin", input: (f) => ({ teamId: f.team.id }) },
  "webhooks.delete": {
    access: "admin",
    input: async (f) => ({
      id: (
        await createWebhookEndpoint(f.api.database.db, {
          teamId: f.team.id,
          url: "http://127.0.0.1:9/hook",
          events: ["task.failed"],
          secret: "matrix-secret-0123456789",
        })
      ).id,
    }),
  },
  "webhooks.deliveries": { access: "admin", input: (f) => ({ teamId: f.team.id }) },
};

/** One pool of `team` most procedures point at; destructive ones get a pool of their own. */
const sharedPool = async (f: MatrixFixtures) =>
  (
    await f.once("pool", () =>
      f.team.admin.call.pools.create({ teamId: f.team.id, name: "matrix pool", slots: 2, config: {} }),
    )
  ).poolId;

const freshPool = async (f: MatrixFixtures) =>
  (
    await f.team.admin.call.pools.create({
      teamId: f.team.id,
      name: `pool ${f.freshEmail()}`,
      slots: 1,
      config: {},
    })
  ).poolId;

/** A task that has completed. */
const sharedTask = (f: MatrixFixtures) =>
  f.once("task", async () => {
    const { taskId } = await f.team.member.call.tasks.submit({
      poolId: await sharedPool(f),
      prompt: "matrix task",
    });
    await f.team.member.call.tasks.result({ taskId, wait: true });
    return taskId;
  });

/** A chain that has completed. */
const sharedChain = (f: MatrixFixtures) =>
  f.once("chain", async () => {
    const poolId = await sharedPool(f);
    const { chainId } = await f.team.member.call.chains.submit({
      poolId,
      steps: [{ name: "one", action: { type: "prompt", prompt: "matrix chain" } }],
    });
    await f.api.host.pool(poolId).chainResult(chainId, { wait: true });
    return chainId;
  });

/** Whether the matrix expects `as` to get through (only those need a target of their own). */
const allowed = (as: CallerName, min: Role) =>
  as !== "anonymous" && as !== "revokedToken" && as !== "otherTeamAdmin" && roleAtLeast(as, min);

/** A pool of its own for a caller the procedure will act for; the shared one for the refused. */
const poolFor = (f: MatrixFixtures, as: CallerName, min: Role) =>
  allowed(as, min) ? freshPool(f) : sharedPool(f);

/** A review of its own for a caller allowed to decide it; a plain task for the refused. */
const reviewFor = (f: MatrixFixtures, as: CallerName) =>
  allowed(as, "member") ? reviewedTask(f) : sharedTask(f);

/** A task of a review of its own, awaiting approval. */
const reviewedTask = async (f: MatrixFixtures) => {
  const poolId = await sharedPool(f);
  const { reviewId, taskId } = await f.team.member.call.tasks.submitWithReview({
    poolId,
    prompt: "matrix review",
  });
  await f.api.host.pool(poolId).reviewResult(reviewId, { wait: true });
  return taskId;
};

/** A skill of the team's, for removing. */
const freshSkill = async (f: MatrixFixtures) => {
  const name = `s_${f.freshEmail().replace(/[^A-Za-z0-9]/g, "_")}`.slice(0, 60);
  await f.team.admin.call.skills.add({ poolId: await sharedPool(f), skill: { name, prompt: "do it" } });
  return name;
};
