import type { Child } from "hono/jsx";
import type { KillSwitchRecord } from "../../types/kill-switch.js";
import { Time } from "../components.js";
import { renderFragment } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";

/**
 * Where the global kill switch banner goes: a block that reloads `/fragments/kill-banner` whenever a kill switch
 * is engaged or released. Without `children` (its current content, when the page has it) it also loads once
 * at start. Include `<KillBanner />` once in the layout (inside the live connection, above the page title) to
 * show the banner on every page.
 */
export function KillBanner(props: { children?: Child }) {
  const initial = props.children !== undefined;
  return (
    <div
      id="kill-banner"
      hx-get="/fragments/kill-banner"
      hx-trigger={`${initial ? "" : "load, "}sse:kill_switch_engaged, sse:kill_switch_released`}
      hx-swap="innerHTML"
    >
      {props.children}
    </div>
  );
}

/** The banner's content: a warning while the global switch is engaged, else nothing. */
export function GlobalKillNotice(props: { global: KillSwitchRecord | undefined }) {
  const g = props.global;
  if (g === undefined) return null;
  return (
    <div class="kill-banner" role="alert">
      <strong>Global kill switch engaged</strong> since <Time at={g.engagedAt} /> by{" "}
      {g.engagedBy ?? "(not recorded)"}: {g.reason}. Every proposal is denied.{" "}
      <a href="/kill">Kill switch page</a>
    </div>
  );
}

/** `GET /fragments/kill-banner`: the {@link GlobalKillNotice} for the current state. */
export function registerKillBanner(ui: UiRouter, deps: UiDeps): void {
  ui.get("/fragments/kill-banner", async (c) => {
    const engaged = await deps.controlPlane.listKillSwitches({ engagedOnly: true });
    return renderFragment(c, <GlobalKillNotice global={engaged.find((k) => k.scope === "global")} />);
  });
}
