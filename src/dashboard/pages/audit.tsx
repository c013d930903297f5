import { renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

/** The Audit log page (placeholder until it is built). */
export function registerAuditPages(ui: UiRouter, _deps: UiDeps): void {
  ui.get("/audit", (c) => renderPage(c, { title: "Audit log", active: "audit" }, <p>Not built yet.</p>));
}
