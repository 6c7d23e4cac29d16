import { DEFAULT_SIGNATURE_HEADER, SIGNATURE_FORMATS } from "@hookrelay/shared";
import { CSRF_FIELD } from "../csrf.js";
import { html, type Renderable, type SafeHtml } from "../html.js";
import type { PageContext } from "../layout.js";
import type { WebhookFormErrors, WebhookFormField, WebhookFormValues } from "../webhook-form.js";

// The webhook form, shared by the project page (create) and the edit page. Plain HTML: the browser posts
// it, the server answers with the page again (422, what was typed kept, messages beside the fields) or
// redirects.

export interface WebhookFormOptions {
  mode: "create" | "edit";
  action: string;
  values: WebhookFormValues;
  errors?: WebhookFormErrors;
}

const FORMAT_LABELS: Record<(typeof SIGNATURE_FORMATS)[number], string> = {
  "sha256=hex": "sha256=<hex> (GitHub style, the default)",
  hex: "<hex> (bare lower-case hex)",
  base64: "<base64> (Shopify style)",
};

export function webhookForm(context: PageContext, options: WebhookFormOptions): SafeHtml {
  const { mode, values, errors = {} } = options;
  const id = (name: WebhookFormField) => `webhook-${name}`;
  const invalid = (name: WebhookFormField) => (errors[name]?.length ? html` aria-invalid="true"` : "");

  function field(name: WebhookFormField, label: string, control: SafeHtml, hint?: Renderable): SafeHtml {
    const messages = errors[name] ?? [];
    return html`<div class="field${messages.length > 0 ? " field-invalid" : ""}" data-field="${name}">
<label for="${id(name)}">${label}</label>
${control}
${hint ? html`<div class="hint">${hint}</div>` : ""}
${messages.map((message) => html`<p class="field-error">${message}</p>`)}
</div>`;
  }

  const formErrors = errors.form ?? [];
  const fieldErrorCount = Object.entries(errors).filter(
    ([name, list]) => name !== "form" && list?.length,
  ).length;
  const summary =
    formErrors.length > 0 || fieldErrorCount > 0
      ? html`<div class="form-errors" role="alert">${
          fieldErrorCount > 0 ? html`<p>Nothing was saved: fix the fields marked below.</p>` : ""
        }${formErrors.map((message) => html`<p>${message}</p>`)}</div>`
      : "";

  return html`<form class="webhook-form" method="post" action="${options.action}" data-mode="${mode}">
<input type="hidden" name="${CSRF_FIELD}" value="${context.csrfToken}">
${summary}
${field(
  "url",
  "URL",
  html`<input id="${id("url")}" name="url" type="url" required size="60" value="${values.url}" placeholder="https://example.com/webhooks"${invalid("url")}>`,
  "Where each event is POSTed, signed.",
)}
${field(
  "name",
  "Name",
  html`<input id="${id("name")}" name="name" maxlength="200" size="40" value="${values.name}"${invalid("name")}>`,
)}
${field(
  "description",
  "Description",
  html`<input id="${id("description")}" name="description" maxlength="2000" size="60" value="${values.description}"${invalid("description")}>`,
)}
${field(
  "event_types",
  "Event types",
  html`<textarea id="${id("event_types")}" name="event_types" rows="3" cols="50" required spellcheck="false"${invalid("event_types")}>${values.event_types}</textarea>`,
  html`One per line or comma-separated: an exact type (<code>order.paid</code>), a prefix wildcard (<code>order.*</code>), <code>*</code>, or a database source's type (<code>db.public.orders.insert</code>, <code>db.public.orders.*</code>). Operational events (hookrelay's own alerts: <code>hookrelay.webhook.disabled</code>, <code>hookrelay.delivery.failed</code>, <code>hookrelay.source.error</code>, <code>hookrelay.source.recovered</code>) come only when listed, e.g. <code>hookrelay.*</code>; <code>*</code> does not include them.`,
)}
${field(
  "headers",
  "Custom headers",
  html`<textarea id="${id("headers")}" name="headers" rows="3" cols="50" spellcheck="false"${invalid("headers")}>${values.headers}</textarea>`,
  mode === "edit"
    ? html`One <code>Name: value</code> per line. A value shown as <code>********</code> is kept as stored; remove the line to remove the header.`
    : html`One <code>Name: value</code> per line, sent with every delivery.`,
)}
${field(
  "filter",
  "Payload filter",
  html`<textarea id="${id("filter")}" name="filter" rows="3" cols="50" spellcheck="false" placeholder='{"data.amount": {"$gte": 100}}'${invalid("filter")}>${values.filter}</textarea>`,
  html`Optional JSON: only events whose envelope matches get a delivery. A dotted path (<code>data.order.status</code>, <code>event_type</code>) to a value, or to operators <code>$eq $ne $gt $gte $lt $lte $in $nin $exists $prefix</code>; <code>$and</code> / <code>$or</code> combine. Empty: every event of its types.`,
)}
${
  mode === "create"
    ? field(
        "secret",
        "Signing secret",
        html`<input id="${id("secret")}" name="secret" type="password" autocomplete="off" size="60" value=""${invalid("secret")}>`,
        html`Leave empty to generate one (<code>whsec_…</code>). To keep a receiver's existing secret: a <code>whsec_</code> secret or 16–128 printable characters. Shown once after creation.${
          values.secret
            ? html` <strong>Type it again:</strong> a secret is never sent back to the browser.`
            : ""
        }`,
      )
    : ""
}
${field(
  "signature_header",
  "Signature header",
  html`<input id="${id("signature_header")}" name="signature_header" size="40" value="${values.signature_header}" placeholder="${DEFAULT_SIGNATURE_HEADER}" spellcheck="false"${invalid("signature_header")}>`,
  html`The extra HMAC-SHA256 header (empty: <code>${DEFAULT_SIGNATURE_HEADER}</code>). The Standard Webhooks headers are always sent too.`,
)}
${field(
  "signature_format",
  "Signature format",
  html`<select id="${id("signature_format")}" name="signature_format"${invalid("signature_format")}>${SIGNATURE_FORMATS.map(
    (format) =>
      html`<option value="${format}"${values.signature_format === format ? html` selected` : ""}>${FORMAT_LABELS[format]}</option>`,
  )}</select>`,
)}
${field(
  "ordering",
  "Ordering",
  html`<select id="${id("ordering")}" name="ordering"${invalid("ordering")}><option value="none"${values.ordering === "fifo" ? "" : html` selected`}>none: in parallel (fastest)</option><option value="fifo"${values.ordering === "fifo" ? html` selected` : ""}>FIFO: one at a time, in event order</option></select>`,
  "FIFO: a failing delivery holds those behind it until it succeeds or ends failed. Replays and test events do not wait.",
)}
${
  mode === "edit"
    ? field(
        "enabled",
        "Enabled",
        html`<input id="${id("enabled")}" name="enabled" type="checkbox" value="true"${values.enabled ? html` checked` : ""}>`,
        "A disabled webhook gets no new deliveries; enabling it again does not resend what was missed.",
      )
    : ""
}
<div class="form-actions"><button type="submit" class="primary">${mode === "create" ? "Create webhook" : "Save changes"}</button></div>
</form>`;
}
