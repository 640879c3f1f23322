import { boolean, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * A person. Shaped as better-auth's `user` model (property names are better-auth's field names), so
 * the auth handler can use this table through the Drizzle adapter with `modelName: "users"`.
 */
export const users = pgTable("users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
