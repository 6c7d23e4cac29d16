import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

// Checks real answers against /openapi.json with a JSON Schema 2020-12 validator: a fetch that validates
// every response it returns, and a record of which (operation, status) pairs were seen.

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

const DOCUMENT_ID = "https://hookrelay.invalid/openapi.json";

export interface ResponseValidator {
  /** A fetch whose every answer is checked against the document (problems are collected, not thrown). */
  fetch: typeof globalThis.fetch;
  /** What did not match, one line each. */
  problems: string[];
  /** operationId → the statuses seen and validated. */
  seen: Map<string, Set<number>>;
  /** Every operation of the document, with its documented statuses. */
  operations: { operationId: string; statuses: number[] }[];
}

/** `/v1/project/{projectId}/x` → a RegExp matching concrete paths. */
function pathPattern(template: string): RegExp {
  const source = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+");
  return new RegExp(`^${source}$`);
}

export function responseValidator(document: OpenApiDocument): ResponseValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // OpenAPI's schema objects are JSON Schema 2020-12; formats (date-time) are checked, not only annotated.
  (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });

  const routes = Object.entries(document.paths).map(([template, item]) => ({
    pattern: pathPattern(template),
    // Literal segments first: `/sources/{id}/install.sql` before a shorter template could claim it.
    literals: template.replace(/\{[^}]+\}/g, "").length,
    item,
  }));
  routes.sort((a, b) => b.literals - a.literals);

  const validators = new Map<unknown, ValidateFunction>();
  const validatorFor = (schema: unknown): ValidateFunction => {
    let validate = validators.get(schema);
    if (!validate) {
      const ref = (schema as { $ref?: string }).$ref;
      validate = ajv.compile(
        ref?.startsWith("#/") ? { $ref: `${DOCUMENT_ID}${ref}` } : (schema as Record<string, unknown>),
      );
      validators.set(schema, validate);
    }
    return validate;
  };

  const problems: string[] = [];
  const seen = new Map<string, Set<number>>();

  const check = async (method: string, url: URL, response: Response): Promise<void> => {
    const route = routes.find(({ pattern }) => pattern.test(url.pathname));
    const operation = route?.item[method.toLowerCase()];
    const what = `${method} ${url.pathname} → ${response.status}`;
    if (!operation) return void problems.push(`${what}: no operation documents it`);
    const documented = operation.responses[String(response.status)];
    if (!documented) return void problems.push(`${what}: status not documented`);
    const statuses = seen.get(operation.operationId) ?? new Set<number>();
    statuses.add(response.status);
    seen.set(operation.operationId, statuses);

    const text = await response.clone().text();
    const media = (response.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
    if (!documented.content) {
      if (text.length > 0) problems.push(`${what}: a body where none is documented`);
      return;
    }
    const content = documented.content[media];
    if (!content) return void problems.push(`${what}: ${media || "no content type"} is not documented`);
    const body = media === "application/json" ? JSON.parse(text) : text;
    const validate = validatorFor(content.schema);
    if (!validate(body)) {
      problems.push(`${what}: ${ajv.errorsText(validate.errors)} in ${text.slice(0, 300)}`);
    }
  };

  const validatingFetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request.clone());
    await check(request.method, new URL(request.url), response);
    return response;
  };

  const operations = Object.values(document.paths).flatMap((item) =>
    Object.values(item).map((operation) => ({
      operationId: operation.operationId,
      statuses: Object.keys(operation.responses).map(Number),
    })),
  );
  return { fetch: validatingFetch, problems, seen, operations };
}
