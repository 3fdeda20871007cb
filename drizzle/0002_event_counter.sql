INSERT INTO "registry_event_counter" ("id", "last_position") VALUES (1, 0) ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Code-point order for names: the same page order on PostgreSQL and PGlite whatever the server's locale.
ALTER TABLE "registered_models" ALTER COLUMN "name" TYPE text COLLATE "C";
