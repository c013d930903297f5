import type { Context } from "hono";
import { can } from "../../auth/roles.js";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import { killTargetId } from "../../engines/kill-switch/kill-switch.js";
import { ValidationError } from "../../errors/validation-error.js";
import { actorOf } from "../../http/authorize.js";
import { LiveRegion } from "../components.js";
import { redirectWithNotice, renderFragment, renderPage } from "../render.js";
import { readForm, uiAuthorize } from "../ui-auth.js";
import type { UiDeps, UiEnv, UiRouter } from "../ui-context.js";
import { registerKillBanner } from "./kill-banner.js";
import {
  describeTarget,
  type KillFormValues,
  type KillRequest,
  killFormValues,
  parseKillRequest,
  parseResumeTarget,
} from "./kill-target.js";
import { ConfirmKill, EngagedSwitches, EngageForm } from "./kill-views.js";

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Exactly what engaging `req` stops, counted now (the confirmation page lists it). */
async function killEffects(cp: ControlPlane, req: KillRequest): Promise<string[]> {
  const t = req.target;
  if (t.scope === "global") {
    const h = await cp.health();
    const live = h.sessions.created + h.sessions.active + h.sessions.paused;
    return [
      `Every live session is aborted (final): ${plural(live, "session")} now.`,
      `Every pending approval ticket is denied: ${plural(h.pendingTickets, "ticket")} now.`,
      "Every proposal of every agent is denied (code kill_switch) until you resume.",
    ];
  }
  if (t.scope === "agent") {
    const agentId = t.agentId ?? "";
    const [sessions, tickets] = await Promise.all([
      cp.listSessions({ agentId, statuses: ["created", "active"], limit: 1000 }),
      cp.listTickets({ statuses: ["pending"], limit: 1000 }),
    ]);
    const pending = tickets.filter((k) => k.request.agentId === agentId).length;
    return [
      `The sessions of agent ${agentId} that are open are paused: ${plural(sessions.length, "session")} now (they stay paused after a resume until resumed one by one).`,
      `Its pending approval tickets are denied: ${plural(pending, "ticket")} now.`,
      `Every proposal agent ${agentId} makes, in any session, is denied (code kill_switch) until you resume.`,
    ];
  }
  const session = await cp.getSession(t.sessionId ?? "");
  const tickets = await cp.listTickets({ sessionId: session.id, statuses: ["pending"], limit: 1000 });
  return [
    `Session ${session.name ?? session.id} (now ${session.status}) is aborted (final).`,
    `Its pending approval tickets are denied: ${plural(tickets.length, "ticket")} now.`,
    "Every later proposal in it is denied (code kill_switch).",
  ];
}

/** The `/kill` page: the engaged switches (live), and the engage form for who may kill. */
async function KillPage(props: { c: Context<UiEnv>; deps: UiDeps; values: KillFormValues; error?: unknown }) {
  const { c, deps } = props;
  const engaged = await deps.controlPlane.listKillSwitches({ engagedOnly: true });
  const canKill = can(c.get("principal"), "kill");
  const issues = props.error instanceof ValidationError ? props.error.issues : [];
  return (
    <>
      <section aria-labelledby="engaged-title">
        <h2 id="engaged-title">Engaged switches</h2>
        <LiveRegion
          id="kill-switches"
          src="/fragments/kill-switches"
          on="sse:kill_switch_engaged, sse:kill_switch_released"
        >
          <EngagedSwitches switches={engaged} csrf={c.get("csrf")} canKill={canKill} />
        </LiveRegion>
      </section>
      {canKill ? (
        <EngageForm values={props.values} csrf={c.get("csrf")} issues={issues} />
      ) : (
        <p class="muted">Your role can see kill switches but not engage or resume them.</p>
      )}
    </>
  );
}

/**
 * The Kill switch pages: `GET /kill` (engaged switches, live; the engage form, prefilled from `?scope=` and
 * `?target=`), `POST /kill` (without `confirm=yes`: the confirmation page stating what will stop; with it:
 * engages), `POST /kill/resume`, `GET /fragments/kill-switches` and the global banner fragment. Writes need
 * the `kill` permission.
 */
export function registerKillPages(ui: UiRouter, deps: UiDeps): void {
  const cp = deps.controlPlane;
  registerKillBanner(ui, deps);
  const title = { title: "Kill switch", active: "kill" } as const;

  ui.get("/kill", async (c) => {
    const scope = c.req.query("scope") ?? "";
    const target = c.req.query("target") ?? "";
    const values: KillFormValues = {
      scope,
      agent: scope === "agent" ? target : "",
      session: scope === "session" ? target : "",
      reason: "",
    };
    return renderPage(c, title, await KillPage({ c, deps, values }));
  });

  ui.get("/fragments/kill-switches", async (c) => {
    const engaged = await cp.listKillSwitches({ engagedOnly: true });
    return renderFragment(
      c,
      <EngagedSwitches switches={engaged} csrf={c.get("csrf")} canKill={can(c.get("principal"), "kill")} />,
    );
  });

  ui.post("/kill", async (c) => {
    const principal = uiAuthorize(c, "kill");
    const form = await readForm(c);
    const values = killFormValues(form);
    let req: KillRequest;
    try {
      req = parseKillRequest(values);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderPage(c, title, await KillPage({ c, deps, values, error }), 422);
    }
    const targetId = killTargetId(req.target);
    const target = describeTarget(req.target.scope, targetId);
    if (form.get("confirm") !== "yes") {
      const [effects, engaged] = await Promise.all([
        killEffects(cp, req),
        cp.listKillSwitches({ engagedOnly: true }),
      ]);
      const alreadyEngaged = engaged.some((k) => k.scope === req.target.scope && k.target === targetId);
      return renderPage(
        c,
        { title: "Confirm kill switch", active: "kill" },
        <ConfirmKill
          values={values}
          csrf={c.get("csrf")}
          target={target}
          effects={effects}
          alreadyEngaged={alreadyEngaged}
        />,
      );
    }
    const r = await cp.kill({ ...req.target, reason: req.reason, actor: actorOf(principal) });
    return redirectWithNotice(
      c,
      "/kill",
      `Kill switch engaged for ${target}: ${plural(r.sessionsAborted, "session")} aborted, ` +
        `${plural(r.sessionsPaused, "session")} paused, ${plural(r.ticketsDenied, "ticket")} denied.`,
    );
  });

  ui.post("/kill/resume", async (c) => {
    const principal = uiAuthorize(c, "kill");
    const form = await readForm(c);
    const target = parseResumeTarget(form);
    const { released } = await cp.resume({ ...target, actor: actorOf(principal) });
    const what = describeTarget(target.scope, killTargetId(target));
    const path = form.get("back") === "/agents" ? "/agents" : "/kill";
    return redirectWithNotice(
      c,
      path,
      released
        ? `Kill switch released for ${what}. Aborted sessions stay aborted; paused ones stay paused until resumed.`
        : `The kill switch for ${what} was not engaged.`,
    );
  });
}
