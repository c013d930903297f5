import { renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

/** The Policy page (placeholder until it is built). */
export function registerPolicyPages(ui: UiRouter, _deps: UiDeps): void {
  ui.get("/policy", (c) => renderPage(c, { title: "Policy", active: "policy" }, <p>Not built yet.</p>));
}
