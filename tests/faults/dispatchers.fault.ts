import { faultScenarios, SCENARIOS } from "./suite.js";

// The 20,000-delivery kill run, alone: it is the one scenario that keeps both CPUs busy.
faultScenarios("fault suite: dispatchers killed", [SCENARIOS.killed]);
