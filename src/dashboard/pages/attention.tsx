import { renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

/** The Attention page (placeholder until it is built). */
export function registerAttentionPages(ui: UiRouter, _deps: UiDeps): void {
  ui.get("/attention", (c) =>
    renderPage(c, { title: "Attention", active: "attention" }, <p>Not built yet.</p>),
  );
}
