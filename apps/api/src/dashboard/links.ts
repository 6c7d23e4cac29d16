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
  project: (projectId: string, query?: Record<string, string | undefined>) =>
    withQuery(`${DASHBOARD_PATH}/projects/${segment(projectId)}`, query),
  webhook: (projectId: string, webhookId: string, query?: Record<string, string | undefined>) =>
    withQuery(`${DASHBOARD_PATH}/projects/${segment(projectId)}/webhooks/${segment(webhookId)}`, query),
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
