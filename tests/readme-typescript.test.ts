import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");

/** The ```ts block right under `heading` in the README. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(heading));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error(`no TypeScript block under ${heading}`);
  return match[1];
}

// The README's TypeScript walk-through, run as written (as a user would paste it into an .mjs file, with
// the built @hookrelay/client) against a real api: only the addresses and the admin key's source change.
describe("the README's TypeScript walk-through", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  const script = path.join(import.meta.dirname, `readme-walkthrough-${process.pid}.mjs`);

  beforeAll(async () => {
    stack = await startStack();
    receiver = await TestReceiver.start();
  });

  afterAll(async () => {
    rmSync(script, { force: true });
    await stack?.stop();
    await receiver?.close();
  });

  it("creates a project and a webhook, sends an event once, and lists its delivery", async () => {
    const code = readmeBlock("## Walk-through (TypeScript)");
    const adapted = code
      .replace('"http://localhost:3000"', JSON.stringify(stack.apiUrl))
      .replace('readFileSync(".data/admin-api-key", "utf8").trim()', JSON.stringify(ADMIN_KEY))
      .replace('"http://127.0.0.1:4000/hooks"', JSON.stringify(`${receiver.url}/hooks`));
    expect(adapted).not.toContain('"http://localhost:3000"');
    expect(adapted).not.toContain("127.0.0.1:4000/hooks");
    expect(adapted).not.toContain(".data/admin-api-key");
    writeFileSync(script, adapted);

    const first = await run(process.execPath, [script], { timeout: 20_000 });
    expect(first.stdout).toMatch(/^signing secret, shown once: whsec_/m);
    const [request] = await receiver.waitForRequests(1);
    expect(JSON.parse(request?.body.toString() ?? "{}")).toMatchObject({
      event_type: "order.paid",
      data: { order_id: "ord_1", amount: 4200 },
    });
    // The delivery it listed: pending or already succeeded, depending on the race with the dispatcher.
    expect(first.stdout).toMatch(/^dlv_\w+ (pending|succeeded) [01]$/m);
  });
});
