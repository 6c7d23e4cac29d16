import { readFileSync } from "node:fs";
import { DOCUMENT_PATH, generateClientFiles, TYPES_PATH } from "../scripts/client-generation.js";

// @hookrelay/client is generated from the routes. A route or schema changed without `npm run
// generate:client` would ship a client that no longer matches the api: this fails first.
describe("the committed client", () => {
  it("is what the current routes generate (run `npm run generate:client` if not)", async () => {
    const { document, types } = await generateClientFiles();
    expect(readFileSync(DOCUMENT_PATH, "utf8")).toBe(document);
    expect(readFileSync(TYPES_PATH, "utf8")).toBe(types);
  });
});
