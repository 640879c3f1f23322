CREATE TABLE "spend_daily_dims" (
	"dimension" text NOT NULL,
	"day" date NOT NULL,
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
	CONSTRAINT "spend_daily_dims_dimension_day_pool_id_key_pk" PRIMARY KEY("dimension","day","pool_id","key")
);
--> statement-breakpoint
-- Backfill (data only, added by hand after drizzle-kit generate): the history already in spend_daily, one dimension at a time.
INSERT INTO "spend_daily_dims" ("dimension", "day", "pool_id", "key", "spend_micros", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "tasks", "tasks_completed", "tasks_failed", "tasks_cancelled")
SELECT d.dimension, s.day, s.pool_id, CASE d.dimension WHEN 'model' THEN s.model WHEN 'user' THEN s.user_id WHEN 'skill' THEN s.skill ELSE s.slot_id END,
  sum(s.spend_micros), sum(s.input_tokens), sum(s.output_tokens), sum(s.cache_read_tokens), sum(s.cache_write_tokens),
  sum(s.tasks), sum(s.tasks_completed), sum(s.tasks_failed), sum(s.tasks_cancelled)
FROM "spend_daily" s CROSS JOIN (VALUES ('model'), ('user'), ('skill'), ('slot')) AS d(dimension)
GROUP BY 1, 2, 3, 4;
