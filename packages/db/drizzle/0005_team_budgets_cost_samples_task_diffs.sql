CREATE TABLE "task_diffs" (
	"task_id" uuid PRIMARY KEY NOT NULL,
	"files" jsonb NOT NULL,
	"additions" integer NOT NULL,
	"deletions" integer NOT NULL,
	"patch" text NOT NULL,
	"truncated" boolean NOT NULL,
	"patch_bytes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "recent_task_costs" bigint[] DEFAULT '{}'::bigint[] NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "reserved_micros" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "month_spent_micros" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "spend_month" date;--> statement-breakpoint
ALTER TABLE "task_diffs" ADD CONSTRAINT "task_diffs_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;