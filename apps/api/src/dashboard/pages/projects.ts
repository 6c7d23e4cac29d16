import type { ListQuery } from "@hookrelay/shared";
import type { projectsWithWebhookCounts } from "../../services/dashboard.js";
import { html } from "../html.js";
import { layout, type PageContext, pager, time } from "../layout.js";
import { links } from "../links.js";

type ProjectsPage = Awaited<ReturnType<typeof projectsWithWebhookCounts>>;

export function projectsPage(context: PageContext, page: ProjectsPage, query: ListQuery): string {
  const rows = page.data.map(
    (project) => html`<tr>
<td><a href="${links.project(project.id)}">${project.name}</a></td>
<td class="mono">${project.id}</td>
<td class="num">${project.webhook_count}</td>
<td>${time(project.created_at)}</td>
</tr>`,
  );
  const body = html`<h1>Projects</h1>
${
  rows.length > 0
    ? html`<table><thead><tr><th>Name</th><th>Id</th><th>Webhooks</th><th>Created</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p class="empty">No projects yet. Create one with <code>POST /v1/projects</code>.</p>`
}
${pager(query, page.next_cursor, links.projects)}`;
  return layout(context, "Projects", [{ label: "Projects" }], body);
}
