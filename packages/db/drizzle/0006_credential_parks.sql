CREATE TABLE "credential_parks" (
	"pool_id" text NOT NULL,
	"credential" text NOT NULL,
	"until" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credential_parks_pool_id_credential_pk" PRIMARY KEY("pool_id","credential")
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "quota_credential" text;--> statement-breakpoint
ALTER TABLE "credential_parks" ADD CONSTRAINT "credential_parks_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;