import { createAccessControl } from "better-auth/plugins/access";
import { defaultStatements } from "better-auth/plugins/organization/access";

/**
 * Team roles, lowest first. The rank is what the API's role checks compare: a role includes every
 * right of the roles below it.
 */
export const ROLES = ["viewer", "member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** True when `role` is `min` or above. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return roleRank(role) >= roleRank(min);
}

/** The lower of two roles: what a token may do when its owner's own role has dropped since. */
export function lowerRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/**
 * The organization plugin's permissions, kept in line with the API's rules so that better-auth's
 * own `/api/auth/organization/*` endpoints cannot do more than the tRPC procedures allow: only an
 * owner manages members and invitations, an admin may rename the team, members and viewers manage
 * nothing. (The API enforces its rules itself; these only close the side door.)
 */
export const accessControl = createAccessControl({
  ...defaultStatements,
  apiKey: ["create", "read", "update", "delete"],
});

export const organizationRoles = {
  owner: accessControl.newRole({
    organization: ["update", "delete"],
    member: ["create", "update", "delete"],
    invitation: ["create", "cancel"],
    team: [],
    ac: ["read"],
    apiKey: ["create", "read", "update", "delete"],
  }),
  admin: accessControl.newRole({
    organization: ["update"],
    member: [],
    invitation: [],
    team: [],
    ac: ["read"],
    apiKey: ["create", "read", "update", "delete"],
  }),
  member: accessControl.newRole({
    organization: [],
    member: [],
    invitation: [],
    team: [],
    ac: ["read"],
    apiKey: [],
  }),
  viewer: accessControl.newRole({
    organization: [],
    member: [],
    invitation: [],
    team: [],
    ac: ["read"],
    apiKey: [],
  }),
};
