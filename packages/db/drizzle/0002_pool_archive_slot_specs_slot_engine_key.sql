ALTER TABLE "slots" DROP CONSTRAINT "slots_pool_id_id_pk";--> statement-breakpoint
ALTER TABLE "slots" ADD CONSTRAINT "slots_pool_id_engine_id_id_pk" PRIMARY KEY("pool_id","engine_id","id");--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "slot_specs" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "pools" ADD COLUMN "archived_at" timestamp with time zone;