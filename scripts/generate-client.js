// `npm run generate:client`: writes packages/client/openapi.json and packages/client/src/generated/openapi.ts
// from the built api's routes. Run it after changing a route or a schema (the suite fails until you do).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DOCUMENT_PATH, generateClientFiles, TYPES_PATH } from "./client-generation.js";

const { document, types } = await generateClientFiles();
mkdirSync(path.dirname(TYPES_PATH), { recursive: true });
writeFileSync(DOCUMENT_PATH, document);
writeFileSync(TYPES_PATH, types);
process.stdout.write(
  `wrote ${path.relative(process.cwd(), DOCUMENT_PATH)} and ${path.relative(process.cwd(), TYPES_PATH)}\n`,
);
