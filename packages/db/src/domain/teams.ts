import { randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../executor.js";
import { apiTokens } from "../schema/api-tokens.js";
import { invitations, MEMBERSHIP_ROLES, type MembershipRole, memberships } from "../schema/memberships.js";
import { teams } from "../schema/teams.js";
import { users } from "../schema/users.js";

/**
 * Teams, members, invitations and the team scope of API tokens: the SQL behind the API's `teams`
 * and `tokens` routers. Callers have already checked the caller's role; these functions keep the
 * invariants that hold whoever calls (a team always keeps an owner, one membership per user).
 */

/** A team-domain failure with a stable code (the API maps `*_NOT_FOUND`, `*_CONFLICT`). */
export class TeamDomainError extends Error {
  constructor(
    readonly code:
      | "MEMBER_NOT_FOUND"
      | "INVITATION_NOT_FOUND"
      | "LAST_OWNER_CONFLICT"
      | "MEMBER_CONFLICT"
      | "SLUG_CONFLICT",
    message: string,
  ) {
    super(message);
  }
  override get name(): string {
    return "TeamDomainError";
  }
}

export interface TeamOfUser {
  id: string;
  name: string;
  slug: string;
  role: MembershipRole;
  monthlyBudgetMicros: number | null;
}

/** The teams a user belongs to, with their role in each, oldest membership first. */
export async function teamsOfUser(db: Executor, userId: string): Promise<TeamOfUser[]> {
  return db
    .select({
      id: teams.id,
      name: teams.name,
      slug: teams.slug,
      role: memberships.role,
      monthlyBudgetMicros: teams.monthlyBudgetMicros,
    })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.organizationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(teams.id));
}

/** One team by id (null when unknown). */
export async function teamById(db: Executor, teamId: string) {
  const rows = await db.select().from(teams).where(eq(teams.id, teamId)).limit(1);
  return rows[0] ?? null;
}

/** A URL-safe slug from a team name; never empty. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return slug === "" ? "team" : slug;
}

/** Creates a team and makes `ownerId` its owner, in one transaction. The slug is made unique. */
export async function createTeam(
  db: Executor,
  input: { name: string; ownerId: string },
): Promise<{ id: string; name: string; slug: string }> {
  return db.transaction(async (tx) => {
    const id = randomUUID();
    const base = slugify(input.name);
    // The plain slug if free, else with a random suffix; ON CONFLICT keeps two teams created at the
    // same moment under one name from failing on the unique index.
    let slug = base;
    for (let attempt = 0; ; attempt++) {
      const inserted = await tx
        .insert(teams)
        .values({ id, name: input.name, slug })
        .onConflictDoNothing({ target: teams.slug })
        .returning({ id: teams.id });
      if (inserted.length > 0) break;
      if (attempt >= 5)
        throw new TeamDomainError("SLUG_CONFLICT", `no free slug for team name "${input.name}"`);
      slug = `${base}-${randomBytes(3).toString("hex")}`;
    }
    await tx
      .insert(memberships)
      .values({ id: randomUUID(), organizationId: id, userId: input.ownerId, role: "owner" });
    return { id, name: input.name, slug };
  });
}

/** True when the user with this e-mail is already a member of the team. */
export async function isMemberByEmail(db: Executor, teamId: string, email: string): Promise<boolean> {
  const rows = await db
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organizationId, teamId), eq(users.email, email.toLowerCase())))
    .limit(1);
  return rows.length > 0;
}

export interface TeamMember {
  userId: string;
  email: string;
  name: string;
  role: MembershipRole;
  joinedAt: Date;
}

export async function teamMembers(db: Executor, teamId: string): Promise<TeamMember[]> {
  return db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organizationId, teamId))
    .orderBy(asc(memberships.createdAt), asc(users.email));
}

/** An invitation valid for `ttlMs` (default 7 days). Accepting it is `acceptInvitation`. */
export async function createInvitation(
  db: Executor,
  input: { teamId: string; email: string; role: MembershipRole; inviterId: string; ttlMs?: number },
): Promise<{ id: string; expiresAt: Date }> {
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + (input.ttlMs ?? 7 * 24 * 3600_000));
  await db.insert(invitations).values({
    id,
    organizationId: input.teamId,
    email: input.email.toLowerCase(),
    role: input.role,
    status: "pending",
    expiresAt,
    inviterId: input.inviterId,
  });
  return { id, expiresAt };
}

/** Pending, unexpired invitations addressed to an e-mail address. */
export async function pendingInvitationsFor(db: Executor, email: string) {
  return db
    .select({
      id: invitations.id,
      teamId: invitations.organizationId,
      teamName: teams.name,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
    })
    .from(invitations)
    .innerJoin(teams, eq(teams.id, invitations.organizationId))
    .where(
      and(
        eq(invitations.email, email.toLowerCase()),
        eq(invitations.status, "pending"),
        sql`${invitations.expiresAt} > now()`,
      ),
    );
}

/**
 * Accepts a pending invitation addressed to `email`: the user joins with the invited role. An
 * invitation for someone else, used, or expired is INVITATION_NOT_FOUND (it says nothing more).
 */
export async function acceptInvitation(
  db: Executor,
  input: { invitationId: string; userId: string; email: string },
): Promise<{ teamId: string; role: MembershipRole }> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(invitations)
      .where(eq(invitations.id, input.invitationId))
      .for("update")
      .limit(1);
    const invitation = rows[0];
    if (
      invitation?.status !== "pending" ||
      invitation.email !== input.email.toLowerCase() ||
      invitation.expiresAt.getTime() <= Date.now()
    ) {
      throw new TeamDomainError("INVITATION_NOT_FOUND", `invitation not found: ${input.invitationId}`);
    }
    const role = invitation.role ?? "member";
    const existing = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(
        and(eq(memberships.organizationId, invitation.organizationId), eq(memberships.userId, input.userId)),
      );
    if (existing.length > 0)
      throw new TeamDomainError("MEMBER_CONFLICT", "you are already a member of this team");
    await tx
      .insert(memberships)
      .values({ id: randomUUID(), organizationId: invitation.organizationId, userId: input.userId, role });
    await tx.update(invitations).set({ status: "accepted" }).where(eq(invitations.id, invitation.id));
    return { teamId: invitation.organizationId, role };
  });
}

/** Adds an existing user to a team directly (used by `createFirstOwner` and tests). */
export async function addMember(
  db: Executor,
  input: { teamId: string; userId: string; role: MembershipRole },
): Promise<void> {
  await db
    .insert(memberships)
    .values({ id: randomUUID(), organizationId: input.teamId, userId: input.userId, role: input.role });
}

/** Changes a member's role; a team's last owner cannot stop being one. */
export async function setMemberRole(
  db: Executor,
  input: { teamId: string; userId: string; role: MembershipRole },
): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockMember(tx, input.teamId, input.userId);
    if (current === "owner" && input.role !== "owner") await requireAnotherOwner(tx, input.teamId);
    await tx
      .update(memberships)
      .set({ role: input.role })
      .where(and(eq(memberships.organizationId, input.teamId), eq(memberships.userId, input.userId)));
  });
}

/** Removes a member; a team's last owner cannot be removed. Their tokens for the team stop working. */
export async function removeMember(db: Executor, input: { teamId: string; userId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    const current = await lockMember(tx, input.teamId, input.userId);
    if (current === "owner") await requireAnotherOwner(tx, input.teamId);
    await tx
      .delete(memberships)
      .where(and(eq(memberships.organizationId, input.teamId), eq(memberships.userId, input.userId)));
    await tx
      .update(apiTokens)
      .set({ enabled: false, updatedAt: new Date() })
      .where(and(eq(apiTokens.teamId, input.teamId), eq(apiTokens.userId, input.userId)));
  });
}

async function lockMember(tx: Executor, teamId: string, userId: string): Promise<MembershipRole> {
  // Lock every membership of the team: two concurrent demotions of the two last owners serialize.
  const rows = await tx
    .select({ userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.organizationId, teamId))
    .for("update");
  const row = rows.find((r) => r.userId === userId);
  if (!row) throw new TeamDomainError("MEMBER_NOT_FOUND", `member not found: ${userId}`);
  return row.role;
}

async function requireAnotherOwner(tx: Executor, teamId: string): Promise<void> {
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, teamId), eq(memberships.role, "owner")));
  if (owners.length < 2) {
    throw new TeamDomainError("LAST_OWNER_CONFLICT", "a team needs an owner: make someone else owner first");
  }
}

/** Sets (or clears, with null) a team's monthly budget across all its pools. */
export async function setTeamBudget(
  db: Executor,
  teamId: string,
  monthlyBudgetMicros: number | null,
): Promise<void> {
  await db.update(teams).set({ monthlyBudgetMicros }).where(eq(teams.id, teamId));
}

export function isMembershipRole(value: unknown): value is MembershipRole {
  return typeof value === "string" && (MEMBERSHIP_ROLES as readonly string[]).includes(value);
}

/** A user by e-mail (lower-cased), or null. */
export async function userByEmail(db: Executor, email: string) {
  const rows = await db.select().from(users).where(eq(users.email, email.toLowerCase())).limit(1);
  return rows[0] ?? null;
}

/** A user by id, or null. */
export async function userById(db: Executor, userId: string) {
  const rows = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  return rows[0] ?? null;
}
