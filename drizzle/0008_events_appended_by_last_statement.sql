-- A change's events are appended by its last statement, which numbers them itself: the server
-- sends COMMIT in the same write (src/db/client.ts), so the counter's queue is still held from
-- that statement through the commit only, with no round trip to the server between. A change no
-- longer writes a pending batch, fires a deferred trigger on it and deletes it again (a heap row,
-- an index entry and their WAL per commit). A client that does not pipeline COMMIT (psql, say)
-- still numbers correctly; it only holds the queue for one round trip longer.
CREATE FUNCTION "append_events"(batch json, batch_actor text) RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE
  n bigint := json_array_length(batch);
  first_position bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(738292);
  UPDATE registry_event_counter SET last_position = last_position + n WHERE id = 1
    RETURNING last_position - n + 1 INTO first_position;
  -- Rows in recording order: transition ids drawn in it, positions first_position, +1, ...
  RETURN QUERY
  WITH input AS MATERIALIZED (
    SELECT first_position - 1 + e.n AS position, e.*,
      CASE WHEN e.to_stage IS NOT NULL THEN nextval('stage_transitions_id_seq') END AS transition_id
    FROM json_to_recordset(batch) AS e(n int, type text, model_id int, model_name text, version_id int, version int,
      from_stage stage, to_stage stage, comment text)
  ), transitions AS (
    INSERT INTO stage_transitions (id, position, model_id, version_id, model_name, version, from_stage, to_stage, comment, actor)
    OVERRIDING SYSTEM VALUE
    SELECT i.transition_id, i.position, i.model_id, i.version_id, i.model_name, i.version, i.from_stage, i.to_stage, i.comment, batch_actor
    FROM input i WHERE i.transition_id IS NOT NULL
  ), appended AS (
    INSERT INTO registry_events (position, type, model_id, model_name, version_id, version, transition_id, actor)
    SELECT i.position, i.type, i.model_id, i.model_name, i.version_id, i.version, i.transition_id, batch_actor FROM input i
  )
  SELECT i.transition_id FROM input i WHERE i.transition_id IS NOT NULL ORDER BY i.n;
END
$$;--> statement-breakpoint
DROP FUNCTION "append_pending_events"() CASCADE;--> statement-breakpoint
DROP TABLE "pending_event_batches" CASCADE;
