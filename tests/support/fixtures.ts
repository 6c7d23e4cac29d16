import { ADMIN_KEY, type Stack } from "./stack.js";

export interface TestProject {
  id: string;
  key: string;
  /** Creates a webhook (201 expected) and returns the api's answer, secret included. */
  webhook: (
    body: Record<string, unknown>,
  ) => Promise<{ id: string; secret: string; [field: string]: unknown }>;
  /** Posts an event (202 expected) and returns the api's answer. */
  event: (
    eventType: string,
    data?: Record<string, unknown>,
  ) => Promise<{ event_id: string; deliveries: number }>;
  path: (suffix: string) => string;
}

export async function createProject(stack: Stack, name = "Test project"): Promise<TestProject> {
  const created = await stack.call("POST", "/v1/projects", { key: ADMIN_KEY, body: { name } });
  if (created.status !== 201) throw new Error(`project: ${created.status} ${JSON.stringify(created.body)}`);
  const { id, api_key: key } = created.body;
  const path = (suffix: string) => `/v1/project/${id}${suffix}`;
  return {
    id,
    key,
    path,
    async webhook(body) {
      const response = await stack.call("POST", path("/webhooks"), { key, body });
      if (response.status !== 201)
        throw new Error(`webhook: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    async event(eventType, data = {}) {
      const response = await stack.call("POST", path("/events"), {
        key,
        body: { event_type: eventType, data },
      });
      if (response.status !== 202)
        throw new Error(`event: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
  };
}
