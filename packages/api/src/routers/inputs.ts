import { z } from "zod";
import { ROLES } from "../auth/roles.js";

/** Input pieces shared by the auth-side routers. Messages name the field. */
export const roleInput = z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` });
export const nonEmpty = (field: string, max = 200) =>
  z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} must be at most ${max} characters`);
export const emailInput = z.email({ error: "email must be an e-mail address" }).max(320);
