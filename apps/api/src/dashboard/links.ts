// Every dashboard URL is built here; ids are path-encoded (and then HTML-escaped by the template).

export const DASHBOARD_PATH = "/dashboard";

const segment = encodeURIComponent;

function withQuery(path: string, query: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) params.set(name, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export const links = {
  css: () => `${DASHBOARD_PATH}/assets/dashboard.css`,
  icon: () => `${DASHBOARD_PATH}/assets/icon.svg`,
  projects: (query?: Record<string, string | undefined>) => withQuery(DASHBOARD_PATH, query),
  /** Every project's last hour, the queues and the failing webhooks. */
  overview: () => `${DASHBOARD_PATH}/overview`,
  project: (projectId: string, query?: Record<string, string | undefined>) =>
    withQuery(`${DASHBOARD_PATH}/projects/${segment(projectId)}`, query),
  /** Where the create form posts. */
  webhooks: (projectId: string) => `${DASHBOARD_PATH}/projects/${segment(projectId)}/webhooks`,
  webhook: (projectId: string, webhookId: string, query?: Record<string, string | undefined>) =>
    withQuery(`${DASHBOARD_PATH}/projects/${segment(projectId)}/webhooks/${segment(webhookId)}`, query),
  editWebhook: (projectId: string, webhookId: string) =>
    `${DASHBOARD_PATH}/projects/${segment(projectId)}/webhooks/${segment(webhookId)}/edit`,
  deleteWebhook: (projectId: string, webhookId: string) =>
    `${DASHBOARD_PATH}/projects/${segment(projectId)}/webhooks/${segment(webhookId)}/delete`,
  sources: (projectId: string, query?: Record<string, string | undefined>) =>
    withQuery(`${DASHBOARD_PATH}/projects/${segment(projectId)}/sources`, query),
  /** The same script as the admin API's `…/sources/{id}/install.sql`, behind the dashboard's login. */
  sourceInstallSql: (projectId: string, sourceId: string) =>
    `${DASHBOARD_PATH}/projects/${segment(projectId)}/sources/${segment(sourceId)}/install.sql`,
  delivery: (
    projectId: string,
    webhookId: string,
    deliveryId: string,
    query?: Record<string, string | undefined>,
  ) =>
    withQuery(
      `${DASHBOARD_PATH}/projects/${segment(projectId)}/webhooks/${segment(webhookId)}/deliveries/${segment(deliveryId)}`,
      query,
    ),
};
