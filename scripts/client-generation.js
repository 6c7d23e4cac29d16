// What `npm run generate:client` writes, computed from the routes: the OpenAPI document and the TypeScript
// types openapi-typescript derives from it. tests/client-generated.test.ts compares the committed files with
// this, so a route changed without regenerating fails the suite.
import path from "node:path";
import { openApiDocument, v1Routes } from "@hookrelay/api";
import openapiTS, { astToString } from "openapi-typescript";

export const CLIENT_DIR = path.resolve(import.meta.dirname, "../packages/client");
export const DOCUMENT_PATH = path.join(CLIENT_DIR, "openapi.json");
export const TYPES_PATH = path.join(CLIENT_DIR, "src/generated/openapi.ts");

const BANNER = "// Generated from the api's routes by `npm run generate:client`. Do not edit.\n\n";

/** `{ document, types }`: the two files' contents. */
export async function generateClientFiles() {
  const spec = openApiDocument(v1Routes);
  const document = `${JSON.stringify(spec, null, 2)}\n`;
  const ast = await openapiTS(structuredClone(spec), { alphabetize: false, exportType: true });
  return { document, types: BANNER + astToString(ast) };
}
