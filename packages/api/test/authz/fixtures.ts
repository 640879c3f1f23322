import { randomUUID } from "node:crypto";
import { addMember, schema } from "@claude-pool/db";
import type { Caller } from "../../src/context.js";
import {
  createTestApi,
  type TestApi,
  type TestTeam,
  type TestToken,
  type TestUser,
} from "../helpers/harness.js";
import { matrixHost } from "./host.js";

/** The callers every procedure is tried with. */
export const CALLERS = [
  "anonymous",
  "otherTeamAdmin",
  "viewer",
  "member",
  "admin",
  "owner",
  "revokedToken",
] as const;
export type CallerName = (typeof CALLERS)[number];

/**
 * What an expectation's `input` builder gets. `team` is the team every role-scoped input points
 * into (its owner/admin/member/viewer are the callers of those names); `otherTeam`'s admin is the
 * outsider. `once(key, make)` memoizes shared setup (a pool, a task…) across the whole matrix.
 */
export interface MatrixFixtures {
  api: TestApi;
  team: TestTeam;
  otherTeam: TestTeam;
  revokedToken: TestToken;
  /** The signed-in user behind a caller name (null for anonymous and the revoked token). */
  userOf(name: CallerName): TestUser | null;
  callerOf(name: CallerName): Caller | null;
  /**
   * The same callers as API tokens: `viewer`…`owner` are tokens of that role in `team` (made by its
   * owner), `otherTeamAdmin` an admin token of `otherTeam`; anonymous and the revoked token are null.
   */
  tokenCallerOf(name: CallerName): Caller | null;
  once<T>(key: string, make: () => Promise<T>): Promise<T>;
  /** A new user added to `team` as `role`, fast (no password), for procedures that remove or change one. */
  freshMember(role?: "viewer" | "member" | "admin"): Promise<{ id: string; email: string }>;
  /** A unique e-mail address. */
  freshEmail(): string;
}

export async function createMatrixFixtures(): Promise<MatrixFixtures> {
  const api = await createTestApi({ database: "pglite", ...(matrixHost ? { host: matrixHost } : {}) });
  const team = await api.team({ name: "Matrix Team" });
  const otherTeam = await api.team({ name: "Other Team" });
  const revokedToken = await api.token(team.owner, team.id, "owner", "revoked");
  await team.owner.call.tokens.revoke({ id: revokedToken.id });

  const users: Record<CallerName, TestUser | null> = {
    anonymous: null,
    otherTeamAdmin: otherTeam.admin,
    viewer: team.viewer,
    member: team.member,
    admin: team.admin,
    owner: team.owner,
    revokedToken: null,
  };
  const tokenCallers: Record<CallerName, Caller | null> = {
    anonymous: null,
    otherTeamAdmin: (await api.token(otherTeam.admin, otherTeam.id, "admin")).caller,
    viewer: (await api.token(team.owner, team.id, "viewer")).caller,
    member: (await api.token(team.owner, team.id, "member")).caller,
    admin: (await api.token(team.owner, team.id, "admin")).caller,
    owner: (await api.token(team.owner, team.id, "owner")).caller,
    revokedToken: null,
  };
  const memo = new Map<string, Promise<unknown>>();
  let n = 0;
  const freshEmail = () => `matrix-${process.pid}-${++n}-${randomUUID().slice(0, 8)}@example.test`;
  return {
    api,
    team,
    otherTeam,
    revokedToken,
    userOf: (name) => users[name],
    // The revoked token is what `resolveCaller` makes of it: nobody.
    callerOf: (name) => users[name]?.caller ?? null,
    tokenCallerOf: (name) => tokenCallers[name],
    once<T>(key: string, make: () => Promise<T>): Promise<T> {
      let value = memo.get(key);
      if (!value) {
        value = make();
        memo.set(key, value);
      }
      return value as Promise<T>;
    },
    async freshMember(role = "member") {
      const id = randomUUID();
      const email = freshEmail();
      await api.database.db.insert(schema.users).values({ id, email, name: "Fresh Member" });
      await addMember(api.database.db, { teamId: team.id, userId: id, role });
      return { id, email };
    },
    freshEmail,
  };
}
