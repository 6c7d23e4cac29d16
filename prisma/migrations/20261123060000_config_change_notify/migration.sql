-- The api caches, per project, which API keys are live and which webhooks an event fans out to. Any change
-- to those rows, by any process (an api, a dispatcher disabling a failing endpoint, an operator's SQL),
-- tells every listening api to drop its cache. NOTIFY is transactional: it is sent only on commit.
-- Only the columns the caches read fire it, so the per-attempt health updates of webhooks do not.
CREATE FUNCTION "hookrelay_notify_config_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hookrelay_config', COALESCE(NEW."project_id", OLD."project_id"));
  RETURN NULL;
END
$$;

CREATE TRIGGER "webhooks_config_change"
  AFTER INSERT OR DELETE OR UPDATE OF "enabled", "event_types", "project_id" ON "webhooks"
  FOR EACH ROW EXECUTE FUNCTION "hookrelay_notify_config_change"();

CREATE TRIGGER "api_keys_config_change"
  AFTER DELETE OR UPDATE OF "revoked_at", "key_hash", "project_id" ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION "hookrelay_notify_config_change"();
