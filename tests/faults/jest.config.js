// The fault suite (`npm run test:faults`): real processes and servers under faults. Its files end in
// .fault.ts so that the ordinary suite (tests/jest.config.js, *.test.ts) never runs them.
import path from "node:path";
import { jestConfig } from "../../jest.preset.js";

const base = jestConfig(import.meta.dirname, { integration: true });

export default {
  ...base,
  testMatch: ["**/*.fault.ts"],
  globalSetup: path.join(import.meta.dirname, "global-setup.js"),
  globalTeardown: path.join(import.meta.dirname, "global-teardown.js"),
  // One file at a time: the kill run has the machine to itself.
  maxWorkers: 1,
  // backends.fault.ts runs its scenarios two at a time: they mostly wait.
  maxConcurrency: 2,
  testTimeout: 150_000,
};
