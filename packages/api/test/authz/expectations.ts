import { createInvitation, createTeam, createWebhookEndpoint } from "@claude-pool/db";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
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
 * target of their own); `except` overrides single cells.
 */
export interface Expectation {
  access: Role | "signed-in";
  input?: (f: MatrixFixtures, as: CallerName) => unknown | Promise<unknown>;
  except?: Partial<Record<CallerName, "allow" | TRPC_ERROR_CODE_KEY>>;
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
  "teams.create": { access: "signed-in", input: () => ({ name: "Created In Matrix" }) },
  "teams.members": { access: "viewer", input: (f) => ({ teamId: f.team.id }) },
  "teams.invite": {
    access: "owner",
    input: (f) => ({ teamId: f.team.id, email: f.freshEmail(), role: "member" }),
  },
  "teams.invitations": { access: "signed-in" },
  "teams.acceptInvitation": {
    access: "signed-in",
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

  // webhooks (A4)
  "webhooks.create": {
    access: "admin",
    input: (f) => ({ teamId: f.team.id, url: "http://127.0.0.1:9/hook", events: ["task.completed"] }),
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
