CREATE TABLE "spend_monthly_dims" (
	"dimension" text NOT NULL,
	"month" date NOT NULL,
	"pool_id" text NOT NULL,
	"key" text DEFAULT '' NOT NULL,
	"spend_micros" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"cache_read_tokens" bigint DEFAULT 0 NOT NULL,
	"cache_write_tokens" bigint DEFAULT 0 NOT NULL,
	"tasks" integer DEFAULT 0 NOT NULL,
	"tasks_completed" integer DEFAULT 0 NOT NULL,
	"tasks_failed" integer DEFAULT 0 NOT NULL,
	"tasks_cancelled" integer DEFAULT 0 NOT NULL,
	"day_rows" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "spend_monthly_dims_dimension_month_pool_id_key_pk" PRIMARY KEY("dimension","month","pool_id","key")
);
--> statement-breakpoint
-- Backfill (data only, added by hand after drizzle-kit generate): each month of the daily dimension rollup.
INSERT INTO "spend_monthly_dims" ("dimension", "month", "pool_id", "key", "spend_micros", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "tasks", "tasks_completed", "tasks_failed", "tasks_cancelled", "day_rows")
SELECT d.dimension, date_trunc('month', d.day::timestamp)::date, d.pool_id, d.key,
  sum(d.spend_micros), sum(d.input_tokens), sum(d.output_tokens), sum(d.cache_read_tokens), sum(d.cache_write_tokens),
  sum(d.tasks), sum(d.tasks_completed), sum(d.tasks_failed), sum(d.tasks_cancelled), count(*)
FROM "spend_daily_dims" d
GROUP BY 1, 2, 3, 4;
