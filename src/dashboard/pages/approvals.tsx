import { renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

/** The Approvals page (placeholder until it is built). */
export function registerApprovalPages(ui: UiRouter, _deps: UiDeps): void {
  ui.get("/", (c) => renderPage(c, { title: "Approvals", active: "approvals" }, <p>Not built yet.</p>));
}
