CREATE TYPE "public"."model_permission" AS ENUM('NONE', 'READ', 'EDIT', 'PROMOTE', 'MANAGE');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('READER', 'EDITOR', 'ADMIN');--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"role" "role" NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp (3) with time zone,
	"revoked_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "model_grants" (
	"identity" text NOT NULL,
	"model_id" integer NOT NULL,
	"permission" "model_permission" NOT NULL,
	CONSTRAINT "model_grants_identity_model_id_pk" PRIMARY KEY("identity","model_id")
);
--> statement-breakpoint
ALTER TABLE "model_grants" ADD CONSTRAINT "model_grants_model_id_registered_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."registered_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_secret_hash_key" ON "api_tokens" USING btree ("secret_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_name_key" ON "api_tokens" USING btree ("name");--> statement-breakpoint
CREATE INDEX "model_grants_model_idx" ON "model_grants" USING btree ("model_id");