// One jest setup for every workspace: ESM TypeScript through @swc/jest (STACK.md), workspace packages
// mapped to their sources so tests never run against a stale build.
import path from "node:path";

const root = import.meta.dirname;

/**
 * @param {string} dir the workspace folder
 * @param {{ integration?: boolean }} [options] integration suites get a migrated template database
 */
export function jestConfig(dir, { integration = false } = {}) {
  return {
    rootDir: dir,
    testEnvironment: "node",
    extensionsToTreatAsEsm: [".ts"],
    transform: {
      "^.+\\.ts$": [
        "@swc/jest",
        {
          jsc: { parser: { syntax: "typescript" }, target: "es2023" },
          module: { type: "es6" },
        },
      ],
    },
    moduleNameMapper: {
      "^@hookrelay/client$": path.join(root, "packages/client/src/index.ts"),
      "^@hookrelay/shared$": path.join(root, "packages/shared/src/index.ts"),
      "^@hookrelay/ingest$": path.join(root, "packages/ingest/src/index.ts"),
      "^@hookrelay/api$": path.join(root, "apps/api/src/index.ts"),
      "^@hookrelay/dispatcher$": path.join(root, "apps/dispatcher/src/index.ts"),
      "^(\\.{1,2}/.*)\\.js$": "$1",
    },
    testMatch: ["**/*.test.ts"],
    testPathIgnorePatterns: ["/node_modules/", "/dist/"],
    ...(integration && {
      globalSetup: path.join(root, "tests/support/global-setup.js"),
      globalTeardown: path.join(root, "tests/support/global-teardown.js"),
    }),
    testTimeout: 30_000,
    // Integration suites hold real sockets: one left open by a failed test must not hang the run (and CI)
    // after the summary is printed.
    forceExit: integration,
  };
}
