import { html } from "../html.js";
import { layout, type PageContext } from "../layout.js";
import { links } from "../links.js";

const TITLES: Record<number, string> = {
  401: "Sign in with the admin key",
  403: "Refused",
  404: "Not found",
};

export function errorPage(context: PageContext | undefined, status: number, message: string): string {
  const title = TITLES[status] ?? (status >= 500 ? "Something went wrong" : "Bad request");
  const hint =
    status === 401
      ? html`<p>Use any user name and the admin API key as the password.</p>`
      : html`<p><a href="${links.projects()}">Back to the projects</a></p>`;
  return layout(context, title, [{ label: title }], html`<h1>${title}</h1><p>${message}</p>${hint}`);
}
