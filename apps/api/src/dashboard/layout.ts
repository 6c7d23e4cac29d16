import type { ListQuery } from "@hookrelay/shared";
import { CSRF_FIELD } from "./csrf.js";
import type { Flash } from "./flash.js";
import { html, type Renderable, type SafeHtml } from "./html.js";
import { links } from "./links.js";

/** What every page render gets besides its data. */
export interface PageContext {
  csrfToken: string;
  flash?: Flash;
}

export interface Crumb {
  label: Renderable;
  href?: string;
}

export function layout(
  context: PageContext | undefined,
  title: string,
  crumbs: Crumb[],
  body: SafeHtml,
): string {
  const flash = context?.flash;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · hookrelay</title>
<link rel="stylesheet" href="${links.css()}">
<link rel="icon" type="image/svg+xml" href="${links.icon()}">
</head>
<body>
<header><a href="${links.projects()}">hookrelay</a>
<nav>${crumbs.map(
    (crumb, index) =>
      html`${index > 0 ? " › " : ""}${crumb.href ? html`<a href="${crumb.href}">${crumb.label}</a>` : crumb.label}`,
  )}</nav>
<nav class="nav-links" aria-label="Dashboard"><a href="${links.overview()}">Overview</a></nav></header>
<main>
${flash ? html`<p class="flash flash-${flash.kind}" role="status">${flash.text}</p>` : ""}
${body}
</main>
</body>
</html>
`.value;
}

/** A button that POSTs to `action` with the form token and `fields`. */
export function postButton(
  context: PageContext,
  action: string,
  label: string,
  fields: Record<string, string> = {},
  className = "",
): SafeHtml {
  return html`<form class="inline" method="post" action="${action}"><input type="hidden" name="${CSRF_FIELD}" value="${context.csrfToken}">${Object.entries(
    fields,
  ).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<button type="submit" class="${className}">${label}</button></form>`;
}

type PageLink = (page: { limit: string; cursor?: string }) => string;

/** First-page and next-page links of a keyset-paged list; the page size carries over. */
export function pager(
  query: ListQuery,
  nextCursor: string | null,
  linkTo: PageLink,
  labels: [first: string, next: string] = ["« Newest", "Older »"],
): SafeHtml {
  const limit = String(query.limit);
  return html`<p class="pager">${query.cursor ? html`<a href="${linkTo({ limit })}">${labels[0]}</a>` : ""}${
    nextCursor ? html`<a href="${linkTo({ limit, cursor: nextCursor })}">${labels[1]}</a>` : ""
  }</p>`;
}

/** An ISO time as `2026-11-23 10:00:00Z`, or a dash. */
export function time(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.replace("T", " ").replace(/\.\d+Z$/, "Z")}</time>`;
}
