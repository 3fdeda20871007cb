-- The commit no longer sends NOTIFY. PostgreSQL's NOTIFY takes a lock of its own at commit and
-- holds it through the commit's WAL flush, a second queue beside the event counter's, and wakes
-- every listening backend once per commit. The server that committed a change now wakes its own
-- subscribers at once and announces new events to other instances itself, at most one NOTIFY in
-- flight and one per interval (src/events/commit-announcer.ts); their slow poll still finds
-- events whose announcement was lost. Positions are drawn, and follow commit order, as before.
CREATE OR REPLACE FUNCTION "append_pending_events"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n bigint := json_array_length(NEW.events);
  first_position bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(738292);
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
  RETURN NULL;
END
$$;
