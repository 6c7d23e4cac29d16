import type { Database } from "@hookrelay/db";
import { newId } from "@hookrelay/shared";

/** A project with one webhook, written straight to PostgreSQL (for tests below the api). */
export async function insertProjectWithWebhook(
  db: Database,
): Promise<{ projectId: string; webhookId: string }> {
  const projectId = newId("project");
  const webhookId = newId("webhook");
  await db.project.create({ data: { id: projectId, name: "p" } });
  await db.webhook.create({
    data: {
      id: webhookId,
      projectId,
      url: "https://hooks.example.com",
      eventTypes: ["*"],
      secretCiphertext: "x",
    },
  });
  return { projectId, webhookId };
}
