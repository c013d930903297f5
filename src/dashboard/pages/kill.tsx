import { renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

/** The Kill switch page (placeholder until it is built). */
export function registerKillPages(ui: UiRouter, _deps: UiDeps): void {
  ui.get("/kill", (c) => renderPage(c, { title: "Kill switch", active: "kill" }, <p>Not built yet.</p>));
}
