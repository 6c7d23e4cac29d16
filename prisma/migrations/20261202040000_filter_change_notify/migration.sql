-- Every process that fans out (the apis, and the dispatchers for captured changes and operational events)
-- caches a project's webhooks with their compiled payload filters: a changed filter must drop those caches
-- too, not only the cache of the api that served the PATCH.
DROP TRIGGER "webhooks_config_change" ON "webhooks";
CREATE TRIGGER "webhooks_config_change"
  AFTER INSERT OR DELETE OR UPDATE OF "enabled", "event_types", "project_id", "filter" ON "webhooks"
  FOR EACH ROW EXECUTE FUNCTION "hookrelay_notify_config_change"();
