-- Writers queue for the event counter in arrival order. Under load several commits wait for the
-- counter at once; on its row lock a newcomer can take the row as the holder commits, ahead of
-- writers already waiting, and every commit wakes waiters that then queue again. The advisory lock
-- (key 738292; 738291 is the migrations' lock) is granted first come, first served, one waiter at
-- a time, and like the row lock it is released by the commit itself: positions still follow commit
-- order with no gaps, and the lock is still taken last, keeping the registry's one lock order.
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
  -- Delivered to listeners only when this transaction commits.
  PERFORM pg_notify('registry_events', (first_position + n - 1)::text);
  RETURN NULL;
END
$$;
