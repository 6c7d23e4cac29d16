import { changeEventType, type ListQuery, sourceInstallSqlPath } from "@hookrelay/shared";
import type { projectWithSources } from "../../services/dashboard.js";
import { html, type SafeHtml } from "../html.js";
import { layout, type PageContext, pager, time } from "../layout.js";
import { links } from "../links.js";

type SourcesView = Awaited<ReturnType<typeof projectWithSources>>;
type SourceRow = SourcesView["sources"]["data"][number];

function capturedTables(source: SourceRow): SafeHtml {
  return html`${source.tables.map(
    (table) => html`<div class="captured-table">
<span class="mono">${table.schema}.${table.table}</span> <span class="muted">${table.events.join(", ")}</span>
${table.columns ? html`<div class="muted">UPDATE of: <span class="mono">${table.columns.join(", ")}</span></div>` : ""}
<div class="muted">events: <span class="mono">${changeEventType(table.schema, table.table, "*")}</span></div>
</div>`,
  )}`;
}

function sourceStatus(source: SourceRow): SafeHtml {
  const state =
    source.status === "error"
      ? html`<span class="state-off" data-status="error">error</span>`
      : html`<span class="state-on" data-status="${source.status}">${source.status}</span>`;
  const lastError = source.last_error
    ? source.status === "error"
      ? html`<div class="source-error">${source.last_error}</div>`
      : html`<div class="muted">last error: ${source.last_error}</div>`
    : "";
  return html`${state}${lastError}`;
}

function backlog(source: SourceRow): SafeHtml {
  return html`<div data-pending-changes="${source.pending_changes}">${source.pending_changes} pending</div>
${source.oldest_pending_at ? html`<div>oldest: ${time(source.oldest_pending_at)}</div>` : ""}`;
}

export function sourcesPage(context: PageContext, view: SourcesView, query: ListQuery): string {
  const { project, sources } = view;
  const rows = sources.data.map(
    (source) => html`<tr data-source-id="${source.id}">
<td>${source.name}<div class="mono muted">${source.id}</div>
<div><a href="${links.sourceInstallSql(project.id, source.id)}" title="GET ${sourceInstallSqlPath(project.id, source.id)} (admin API)">install.sql</a></div></td>
<td class="mono">${source.database}</td>
<td>${capturedTables(source)}</td>
<td>${source.enabled ? html`<span data-enabled="true">enabled</span>` : html`<span class="state-off" data-enabled="false">disabled</span>`}</td>
<td class="source-status">${sourceStatus(source)}</td>
<td class="backlog">${backlog(source)}</td>
</tr>`,
  );
  const body = html`<h1>Database sources</h1>
<p class="muted">Committed row changes of these tables become events of ${project.name}; webhooks subscribe to them with ordinary event types. Sources are created and changed with the admin API (<code>POST /v1/projects/${project.id}/sources</code>), which needs the database's URL.</p>
${
  rows.length > 0
    ? html`<table class="sources"><thead><tr><th>Source</th><th>Database</th><th>Captured tables</th><th>State</th><th>Status</th><th>Backlog</th></tr></thead>
<tbody>${rows}</tbody></table>
<p class="muted">A source's <em>install.sql</em> is the script hookrelay runs in that database (a schema <code>hookrelay_capture</code> and one trigger per table), for a DBA to run when hookrelay's role may not; the admin API serves it too, at <code>GET /v1/projects/${project.id}/sources/{source_id}/install.sql</code>.</p>`
    : html`<p class="empty">No database sources. Create one with <code>POST /v1/projects/${project.id}/sources</code> (admin key).</p>`
}
${pager(query, sources.next_cursor, (page) => links.sources(project.id, page))}`;
  return layout(
    context,
    `Sources of ${project.name}`,
    [
      { label: "Projects", href: links.projects() },
      { label: project.name, href: links.project(project.id) },
      { label: "Sources" },
    ],
    body,
  );
}
