/**
 * The API test harness: a real database (PGlite or a scratch Postgres), real better-auth on it,
 * and `createCaller` for any caller. Other test files reuse it; its whole surface is:
 *
 *   const api = await createTestApi({ database: "pglite" | "postgres", host? });
 *   api.database, api.auth, api.host               // the InnerContext parts
 *   api.call(caller | null)                        // appRouter.createCaller for that caller
 *   await api.signUp({ email?, name?, password? }) // → TestUser { id, email, name, caller, call }
 *   await api.team({ name? })                      // → TestTeam: owner/admin/member/viewer users, id
 *   await api.token(user, teamId, role)            // → TestToken { id, token, caller, call } via the API-key plugin
 *   await api.close()
 *
 * `host`: a function building the PoolHost from the database (A1b's `createPoolHost`); without
 * one, the host throws on use (fine for auth-side routers, which never touch it).
 */
import { randomUUID } from "node:crypto";
import { type Database, schema, teamsOfUser } from "@claude-pool/db";
import { resolveTokenCaller } from "../../src/auth/callers.js";
import { createPoolAuth, type PoolAuth } from "../../src/auth/create-auth.js";
import type { Role } from "../../src/auth/roles.js";
import { issueToken } from "../../src/auth/tokens.js";
import type { Caller, InnerContext, PoolHost } from "../../src/context.js";
import { createCaller } from "../../src/root.js";
import { freshPglite, scratchPostgres } from "./databases.js";

export const TEST_PASSWORD = "correct horse battery staple";
export const TEST_SECRET = "test-secret-test-secret-test-secret-0123456789";
export const TEST_BASE_URL = "http://127.0.0.1:4680";

export type Call = ReturnType<typeof createCaller>;

export interface TestUser {
  id: string;
  email: string;
  name: string;
  caller: Caller;
  call: Call;
}

export interface TestTeam {
  id: string;
  name: string;
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  viewer: TestUser;
}

export interface TestToken {
  id: string;
  token: string;
  caller: Caller;
  call: Call;
}

export interface TestApi {
  database: Database;
  auth: PoolAuth;
  host: PoolHost;
  context(caller: Caller | null): InnerContext;
  call(caller: Caller | null): Call;
  /** `password: true` signs up through better-auth with TEST_PASSWORD (slower); else a bare user row. */
  signUp(input?: { email?: string; name?: string; password?: boolean }): Promise<TestUser>;
  team(input?: { name?: string }): Promise<TestTeam>;
  token(user: TestUser, teamId: string, role: Role, name?: string): Promise<TestToken>;
  close(): Promise<void>;
}

/** A host for tests of routers that need none: any use is a test bug and says so. */
export function absentHost(): PoolHost {
  const fail = (): never => {
    throw new Error("this test built its API without a PoolHost (pass `host` to createTestApi)");
  };
  return {
    engineId: "test-engine",
    start: async () => fail(),
    pool: fail,
    createPool: async () => fail(),
    updatePool: async () => fail(),
    deletePool: async () => fail(),
    stop: async () => {},
    health: async () => ({ ok: true, database: true, pools: 0, problems: [] }),
  };
}

let seq = 0;

export async function createTestApi(
  options: {
    database?: "pglite" | "postgres";
    host?: (database: Database) => PoolHost | Promise<PoolHost>;
  } = {},
): Promise<TestApi> {
  const database = options.database === "postgres" ? await scratchPostgres() : await freshPglite();
  const auth = createPoolAuth(database, {
    baseURL: TEST_BASE_URL,
    secret: TEST_SECRET,
    trustedOrigins: ["http://127.0.0.1:3000"],
    logger: { disabled: process.env.AUTH_LOG !== "1" },
  });
  const host = options.host ? await options.host(database) : absentHost();
  const context = (caller: Caller | null): InnerContext => ({ database, auth, host, caller });
  const call = (caller: Caller | null) => createCaller(context(caller));

  const signUp: TestApi["signUp"] = async (input = {}) => {
    seq += 1;
    const email = (input.email ?? `user${seq}-${process.pid}@example.test`).toLowerCase();
    const name = input.name ?? `User ${seq}`;
    let id: string;
    if (input.password) {
      const result = await auth.api.signUpEmail({ body: { email, password: TEST_PASSWORD, name } });
      id = result.user.id;
    } else {
      // Most tests never sign in: skip the password hash (scrypt), the slow part of a sign-up.
      id = randomUUID();
      await database.db.insert(schema.users).values({ id, email, name });
    }
    const caller: Caller = { kind: "session", userId: id, email, name };
    return { id, email, name, caller, call: call(caller) };
  };

  const team: TestApi["team"] = async (input = {}) => {
    const owner = await signUp();
    const created = await owner.call.teams.create({ name: input.name ?? `Team ${seq}` });
    const [admin, member, viewer] = [await signUp(), await signUp(), await signUp()];
    for (const [user, role] of [
      [admin, "admin"],
      [member, "member"],
      [viewer, "viewer"],
    ] as const) {
      const { invitationId } = await owner.call.teams.invite({ teamId: created.id, email: user.email, role });
      await user.call.teams.acceptInvitation({ invitationId });
    }
    const roles = await teamsOfUser(database.db, viewer.id);
    if (roles[0]?.role !== "viewer") throw new Error("harness: the viewer did not join the team");
    return { id: created.id, name: created.name, owner, admin, member, viewer };
  };

  const token: TestApi["token"] = async (user, teamId, role, name = `token-${role}`) => {
    const issued = await issueToken({ auth, database }, { teamId, userId: user.id, name, role });
    const caller = await resolveTokenCaller({ auth, database }, issued.token);
    if (!caller) throw new Error("harness: a freshly issued token did not verify");
    return { id: issued.id, token: issued.token, caller, call: call(caller) };
  };

  return {
    database,
    auth,
    host,
    context,
    call,
    signUp,
    team,
    token,
    async close() {
      await host.stop({ graceMs: 0 }).catch(() => {});
      await database.close();
    },
  };
}
