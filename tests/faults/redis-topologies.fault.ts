import { faultScenarios, SCENARIOS } from "./suite.js";

// Scale-out Redis: a Redis Cluster and a Sentinel group of the test's own, each losing a master mid-run.
// Two at a time (maxConcurrency in jest.config.js): they mostly wait for the failover and the sweep.
faultScenarios(
  "fault suite: Redis Cluster and Sentinel failovers",
  [SCENARIOS.clusterFailover, SCENARIOS.sentinelFailover],
  {
    concurrently: true,
  },
);
