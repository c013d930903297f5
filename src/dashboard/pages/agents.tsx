import { renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

/** The Agents page (placeholder until it is built). */
export function registerAgentPages(ui: UiRouter, _deps: UiDeps): void {
  ui.get("/agents", (c) => renderPage(c, { title: "Agents", active: "agents" }, <p>Not built yet.</p>));
}
