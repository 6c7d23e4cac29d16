import type { WebhookHealth } from "../../services/dashboard.js";
import { html, type SafeHtml } from "../html.js";
import { type PageContext, postButton, time } from "../layout.js";
import { links } from "../links.js";

/** Where an action on a webhook sends the browser back to. */
export type ReturnTo = "project" | "webhook";

export function enabledState(webhook: WebhookHealth): SafeHtml {
  return webhook.enabled
    ? html`<span class="state-on" data-enabled="true">enabled</span>`
    : html`<span class="state-off" data-enabled="false">disabled</span>${
        webhook.disabled_reason ? html` <span class="muted">(${webhook.disabled_reason})</span>` : ""
      }`;
}

export function webhookHealth(webhook: WebhookHealth): SafeHtml {
  return html`<div>last success: ${time(webhook.last_success_at)}</div>
<div>last failure: ${time(webhook.last_failure_at)}</div>
${webhook.failing_since ? html`<div>failing since: ${time(webhook.failing_since)}</div>` : ""}`;
}

export function toggleButton(context: PageContext, webhook: WebhookHealth, from: ReturnTo): SafeHtml {
  return postButton(
    context,
    `${links.webhook(webhook.project_id, webhook.id)}/enabled`,
    webhook.enabled ? "Disable" : "Enable",
    { enabled: webhook.enabled ? "false" : "true", from },
  );
}

export function testButton(context: PageContext, webhook: WebhookHealth, from: ReturnTo): SafeHtml {
  return postButton(context, `${links.webhook(webhook.project_id, webhook.id)}/test`, "Send test event", {
    from,
  });
}
