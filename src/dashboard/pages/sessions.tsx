import { renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

/** The Sessions page (placeholder until it is built). */
export function registerSessionPages(ui: UiRouter, _deps: UiDeps): void {
  ui.get("/sessions", (c) => renderPage(c, { title: "Sessions", active: "sessions" }, <p>Not built yet.</p>));
}
