CREATE TYPE "public"."stage" AS ENUM('NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED');--> statement-breakpoint
CREATE TYPE "public"."model_version_status" AS ENUM('PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY');--> statement-breakpoint
CREATE TABLE "model_version_metrics" (
	"version_id" integer NOT NULL,
	"key" text NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "model_version_metrics_version_id_key_pk" PRIMARY KEY("version_id","key")
);
--> statement-breakpoint
CREATE TABLE "model_version_tags" (
	"version_id" integer NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "model_version_tags_version_id_key_pk" PRIMARY KEY("version_id","key")
);
--> statement-breakpoint
CREATE TABLE "model_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "model_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"model_id" integer NOT NULL,
	"version" integer NOT NULL,
	"stage" "stage" DEFAULT 'NONE' NOT NULL,
	"status" "model_version_status" DEFAULT 'READY' NOT NULL,
	"source" text NOT NULL,
	"run_id" text,
	"description" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registered_model_aliases" (
	"model_id" integer NOT NULL,
	"alias" text NOT NULL,
	"version_id" integer NOT NULL,
	CONSTRAINT "registered_model_aliases_model_id_alias_pk" PRIMARY KEY("model_id","alias")
);
--> statement-breakpoint
CREATE TABLE "registered_model_tags" (
	"model_id" integer NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "registered_model_tags_model_id_key_pk" PRIMARY KEY("model_id","key")
);
--> statement-breakpoint
CREATE TABLE "registered_models" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "registered_models_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"description" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"next_version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_event_counter" (
	"id" integer PRIMARY KEY NOT NULL,
	"last_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_events" (
	"position" bigint PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"model_id" integer NOT NULL,
	"model_name" text NOT NULL,
	"version_id" integer,
	"version" integer,
	"transition_id" integer,
	"actor" text,
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stage_transitions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stage_transitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"position" bigint NOT NULL,
	"model_id" integer NOT NULL,
	"version_id" integer,
	"model_name" text NOT NULL,
	"version" integer NOT NULL,
	"from_stage" "stage" NOT NULL,
	"to_stage" "stage" NOT NULL,
	"comment" text,
	"actor" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "model_version_metrics" ADD CONSTRAINT "model_version_metrics_version_id_model_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."model_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_version_tags" ADD CONSTRAINT "model_version_tags_version_id_model_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."model_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_model_id_registered_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."registered_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registered_model_aliases" ADD CONSTRAINT "registered_model_aliases_model_id_registered_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."registered_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registered_model_aliases" ADD CONSTRAINT "registered_model_aliases_version_id_model_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."model_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registered_model_tags" ADD CONSTRAINT "registered_model_tags_model_id_registered_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."registered_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stage_transitions" ADD CONSTRAINT "stage_transitions_version_id_model_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."model_versions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_version_tags_key_value_idx" ON "model_version_tags" USING btree ("key","value");--> statement-breakpoint
CREATE UNIQUE INDEX "model_versions_model_version_key" ON "model_versions" USING btree ("model_id","version");--> statement-breakpoint
CREATE INDEX "model_versions_model_stage_version_idx" ON "model_versions" USING btree ("model_id","stage","version");--> statement-breakpoint
CREATE INDEX "model_versions_created_at_idx" ON "model_versions" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "model_versions_updated_at_idx" ON "model_versions" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "model_versions_version_idx" ON "model_versions" USING btree ("version","id");--> statement-breakpoint
CREATE INDEX "model_versions_run_id_idx" ON "model_versions" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "model_versions_source_idx" ON "model_versions" USING btree ("source");--> statement-breakpoint
CREATE INDEX "model_versions_stage_idx" ON "model_versions" USING btree ("stage","created_at","id");--> statement-breakpoint
CREATE INDEX "registered_model_aliases_version_idx" ON "registered_model_aliases" USING btree ("version_id");--> statement-breakpoint
CREATE INDEX "registered_model_tags_key_value_idx" ON "registered_model_tags" USING btree ("key","value");--> statement-breakpoint
CREATE UNIQUE INDEX "registered_models_name_key" ON "registered_models" USING btree ("name");--> statement-breakpoint
CREATE INDEX "registered_models_created_at_idx" ON "registered_models" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "registered_models_updated_at_idx" ON "registered_models" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "registered_models_name_trgm_idx" ON "registered_models" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "registry_events_model_name_idx" ON "registry_events" USING btree ("model_name","position");--> statement-breakpoint
CREATE UNIQUE INDEX "stage_transitions_position_key" ON "stage_transitions" USING btree ("position");--> statement-breakpoint
CREATE INDEX "stage_transitions_version_idx" ON "stage_transitions" USING btree ("version_id","position");--> statement-breakpoint
CREATE INDEX "stage_transitions_name_idx" ON "stage_transitions" USING btree ("model_name","position");--> statement-breakpoint
CREATE INDEX "stage_transitions_to_stage_idx" ON "stage_transitions" USING btree ("to_stage","position");