import { bigint, date, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/**
 * Measures shared by both rollups. Spend and tokens are settled amounts; the task counters count
 * tasks that reached a terminal state that day (`failed` includes `timed_out`).
 */
function measures() {
  return {
    spendMicros: bigint("spend_micros", { mode: "number" }).notNull().default(0),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
    cacheReadTokens: bigint("cache_read_tokens", { mode: "number" }).notNull().default(0),
    cacheWriteTokens: bigint("cache_write_tokens", { mode: "number" }).notNull().default(0),
    tasks: integer("tasks").notNull().default(0),
    tasksCompleted: integer("tasks_completed").notNull().default(0),
    tasksFailed: integer("tasks_failed").notNull().default(0),
    tasksCancelled: integer("tasks_cancelled").notNull().default(0),
  };
}

/**
 * Daily spend rollup, written in the same transaction as each settlement, never pruned. One row per
 * UTC day × pool × model × user × skill × slot; '' stands for "none" so the key has no NULLs.
 */
export const spendDaily = pgTable(
  "spend_daily",
  {
    day: date("day", { mode: "string" }).notNull(),
    poolId: text("pool_id").notNull(),
    model: text("model").notNull().default(""),
    userId: text("user_id").notNull().default(""),
    skill: text("skill").notNull().default(""),
    slotId: text("slot_id").notNull().default(""),
    ...measures(),
  },
  (t) => [primaryKey({ columns: [t.day, t.poolId, t.model, t.userId, t.skill, t.slotId] })],
);

/** The single-valued report groupings kept per dimension in `spend_daily_dims` (tags have their own table). */
export const SPEND_DIMENSIONS = ["model", "user", "skill", "slot"] as const;
export type SpendDimension = (typeof SPEND_DIMENSIONS)[number];

/**
 * The same measures per UTC day × dimension × pool × key: four rows per settlement (its model,
 * user, skill and slot, '' for "none"). `spend_daily` has one row per combination of all five
 * attributes, which at a million tasks is close to a row per task; a report groups by one
 * attribute, so it reads this table instead: at most days × pools × distinct keys rows. Each
 * dimension's rows sum to the pool totals, so grouping by pool reads the `model` rows.
 */
export const spendDailyDims = pgTable(
  "spend_daily_dims",
  {
    // The key's first column: a report reads one dimension over a range of days.
    dimension: text("dimension").$type<SpendDimension>().notNull(),
    day: date("day", { mode: "string" }).notNull(),
    poolId: text("pool_id").notNull(),
    key: text("key").notNull().default(""),
    ...measures(),
  },
  (t) => [primaryKey({ columns: [t.dimension, t.day, t.poolId, t.key] })],
);

/**
 * `spend_daily_dims` summed per UTC month (the month's first day) × dimension × pool × key, written
 * by the same settlement statement. A month-bucket report reads one row here per pool and key for
 * every month it covers instead of up to 31 daily rows: a month cut by the range is this row minus
 * the daily rows outside the range, or the daily rows inside it, whichever is fewer. `dayRows`
 * counts the daily rows summed in, so a group whose in-range daily rows were all subtracted away
 * is recognised as absent (its sums alone could be zero for a group that exists).
 */
export const spendMonthlyDims = pgTable(
  "spend_monthly_dims",
  {
    dimension: text("dimension").$type<SpendDimension>().notNull(),
    month: date("month", { mode: "string" }).notNull(),
    poolId: text("pool_id").notNull(),
    key: text("key").notNull().default(""),
    ...measures(),
    dayRows: integer("day_rows").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.dimension, t.month, t.poolId, t.key] })],
);

/**
 * The same measures per tag: a task with two tags counts under both, an untagged task under ''.
 * Kept apart so that summing `spend_daily` never double-counts a multi-tag task.
 */
export const spendDailyTags = pgTable(
  "spend_daily_tags",
  {
    day: date("day", { mode: "string" }).notNull(),
    poolId: text("pool_id").notNull(),
    tag: text("tag").notNull().default(""),
    ...measures(),
  },
  (t) => [primaryKey({ columns: [t.day, t.poolId, t.tag] })],
);
