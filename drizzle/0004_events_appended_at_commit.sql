CREATE TABLE "pending_event_batches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "pending_event_batches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"events" json NOT NULL,
	"actor" text
);
--> statement-breakpoint
-- Runs at commit. The counter row's lock, taken here, is released by the commit itself, so a
-- later writer appends after this one commits: positions follow commit order with no gaps, and
-- the lock is never held while the writer's process is busy elsewhere.
CREATE FUNCTION "append_pending_events"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint := json_array_length(NEW.events);
  first_position bigint;
BEGIN
  UPDATE registry_event_counter SET last_position = last_position + n WHERE id = 1
    RETURNING last_position - n + 1 INTO first_position;
  WITH input AS (
    SELECT first_position - 1 + e.n AS position, e.*
    FROM json_to_recordset(NEW.events) AS e(n int, type text, model_id int, model_name text, version_id int, version int,
      from_stage stage, to_stage stage, comment text, transition_id int)
  ), transitions AS (
    INSERT INTO stage_transitions (id, position, model_id, version_id, model_name, version, from_stage, to_stage, comment, actor)
    OVERRIDING SYSTEM VALUE
    SELECT transition_id, position, model_id, version_id, model_name, version, from_stage, to_stage, comment, NEW.actor
    FROM input WHERE transition_id IS NOT NULL
  )
  INSERT INTO registry_events (position, type, model_id, model_name, version_id, version, transition_id, actor)
  SELECT position, type, model_id, model_name, version_id, version, transition_id, NEW.actor FROM input;
  DELETE FROM pending_event_batches WHERE id = NEW.id;
  -- Delivered to listeners only when this transaction commits.
  PERFORM pg_notify('registry_events', (first_position + n - 1)::text);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "pending_events_appended_at_commit" AFTER INSERT ON "pending_event_batches"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "append_pending_events"();
