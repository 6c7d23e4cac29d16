import { html, type SafeHtml } from "./html.js";

export type BadgeColor = "green" | "yellow" | "red" | "grey";

export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
}

/** Green 2xx, yellow 3xx/4xx, red 5xx or no answer (timeout, connection error, …), grey: no attempt yet. */
export function badgeColor(outcome: AttemptOutcome | undefined): BadgeColor {
  if (!outcome) return "grey";
  const { statusCode } = outcome;
  if (statusCode === null) return "red";
  if (statusCode >= 200 && statusCode < 300) return "green";
  if (statusCode >= 300 && statusCode < 500) return "yellow";
  return "red";
}

function badgeLabel(outcome: AttemptOutcome | undefined): string {
  if (!outcome) return "no attempt";
  return outcome.statusCode !== null ? String(outcome.statusCode) : (outcome.error ?? "error");
}

/** The colored badge of an attempt (or of a delivery, by its last attempt). */
export function outcomeBadge(outcome: AttemptOutcome | undefined): SafeHtml {
  const color = badgeColor(outcome);
  return html`<span class="badge badge-${color}" data-color="${color}">${badgeLabel(outcome)}</span>`;
}
