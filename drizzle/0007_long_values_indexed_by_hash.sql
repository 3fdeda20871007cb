-- Long values indexed by their md5: a B-tree entry holds at most 2,704 bytes, so a tag value of
-- 5,000 characters that compress poorly, or a 2,048-character source of multibyte characters,
-- failed as an internal error. Equality and IN filters match the hash, then the value (filters.ts).
DROP INDEX "model_version_tags_key_value_idx";--> statement-breakpoint
DROP INDEX "model_versions_source_idx";--> statement-breakpoint
DROP INDEX "registered_model_tags_key_value_idx";--> statement-breakpoint
CREATE INDEX "model_version_tags_key_value_idx" ON "model_version_tags" USING btree ("key",md5("value"));--> statement-breakpoint
CREATE INDEX "model_versions_source_idx" ON "model_versions" USING btree (md5("source"));--> statement-breakpoint
CREATE INDEX "registered_model_tags_key_value_idx" ON "registered_model_tags" USING btree ("key",md5("value"));