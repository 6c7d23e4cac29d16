// Removes this run's gathered rows (left behind when only some scenarios ran), then the ordinary teardown.
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import globalTeardown from "../support/global-teardown.js";

export default async function faultSuiteTeardown() {
  const run = process.env.HOOKRELAY_TEST_RUN;
  if (run) await rm(path.join(os.tmpdir(), `hookrelay-faults-${run}.json`), { force: true });
  await globalTeardown();
}
