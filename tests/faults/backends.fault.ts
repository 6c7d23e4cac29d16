import { faultScenarios, SCENARIOS } from "./suite.js";

// Redis, PostgreSQL, receivers and restarts: scenarios that mostly wait (for a fault to heal, for the
// outbox's overdue check), two at a time (maxConcurrency in jest.config.js).
faultScenarios(
  "fault suite: backends, receivers and restarts",
  [
    SCENARIOS.postgresBlackhole,
    SCENARIOS.restarts,
    SCENARIOS.postgresStop,
    SCENARIOS.redisRestart,
    SCENARIOS.redisFlush,
    SCENARIOS.receivers,
  ],
  { concurrently: true },
);
