// The ordinary integration setup (PostgreSQL, Redis, a migrated template database), plus when the fault run
// started, for the page's "the scenarios took" (the test files run in this process: maxWorkers 1).
import globalSetup from "../support/global-setup.js";

export default async function faultSuiteSetup() {
  await globalSetup();
  process.env.HOOKRELAY_FAULTS_STARTED_AT = String(Date.now());
}
