import { can } from "../../auth/roles.js";
import type { AgentRecord, DelegationRecord } from "../../types/agent.js";
import type { KillSwitchRecord } from "../../types/kill-switch.js";
import { Badge, DataTable, LiveRegion, Time } from "../components.js";
import { renderFragment, renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";
import { ResumeButton } from "./kill-views.js";
import { shortId } from "./session-list.js";

/** Registered agents and delegations shown (the first ones by id / oldest first). */
const AGENT_LIMIT = 500;
const DELEGATION_LIMIT = 200;

/** Whether an agent is halted, and by which switch (its own, or the global one). */
function haltedBy(agent: AgentRecord, engaged: readonly KillSwitchRecord[]): KillSwitchRecord | undefined {
  return (
    engaged.find((k) => k.scope === "agent" && k.target === agent.id) ??
    engaged.find((k) => k.scope === "global")
  );
}

/** The agents table (content of the live block): state, capabilities, tags, Kill… or Resume. */
function AgentTable(props: {
  agents: readonly AgentRecord[];
  engaged: readonly KillSwitchRecord[];
  csrf: string;
  canKill: boolean;
}) {
  if (props.agents.length === 0) {
    return (
      <p class="card empty">
        No registered agents. Until one is registered, any agent may propose (identity checks are off).
      </p>
    );
  }
  return (
    <DataTable
      caption="Registered agents by id"
      head={[
        "State",
        "Agent",
        "Capabilities",
        "Tags",
        "Registered",
        ...(props.canKill ? ["Kill switch"] : []),
      ]}
    >
      {props.agents.map((a) => {
        const halt = haltedBy(a, props.engaged);
        const own = halt?.scope === "agent";
        return (
          <tr id={`agent-${a.id}`}>
            <td>
              {halt ? <span class="badge bad">halted</span> : <Badge value="active" />}
              {halt ? (
                <div class="small">
                  {own ? "agent switch" : "global switch"} by {halt.engagedBy ?? "(not recorded)"}:{" "}
                  {halt.reason}
                </div>
              ) : null}
            </td>
            <td>
              <strong>{a.name}</strong>
              <div class="muted small">
                <code>{a.id}</code> · <a href={`/sessions?agent=${encodeURIComponent(a.id)}`}>sessions</a>
              </div>
            </td>
            <td class="wrap">
              {a.capabilities.map((cap) => (
                <code class="chip">{cap === "*" ? "* (every action)" : cap}</code>
              ))}
            </td>
            <td class="wrap">
              {a.tags.length === 0 ? (
                <span class="muted">—</span>
              ) : (
                a.tags.map((t) => <span class="chip">{t}</span>)
              )}
            </td>
            <td>
              <Time at={a.createdAt} />
            </td>
            {props.canKill ? (
              <td>
                {own ? (
                  <ResumeButton
                    scope="agent"
                    target={a.id}
                    csrf={props.csrf}
                    label={`Resume ${a.id}`}
                    back="/agents"
                  />
                ) : (
                  <a
                    class="button danger-link"
                    href={`/kill?scope=agent&target=${encodeURIComponent(a.id)}#engage`}
                  >
                    Kill {a.id}…
                  </a>
                )}
              </td>
            ) : null}
          </tr>
        );
      })}
    </DataTable>
  );
}

/** The recorded delegations, oldest first. */
function DelegationTable(props: { delegations: readonly DelegationRecord[] }) {
  if (props.delegations.length === 0) return <p class="card empty">No delegations recorded.</p>;
  return (
    <DataTable caption="Delegations, oldest first" head={["From", "To", "Task", "Session", "Recorded"]}>
      {props.delegations.map((d) => (
        <tr>
          <td>
            <code>{d.fromAgentId}</code>
          </td>
          <td>
            <code>{d.toAgentId}</code>
          </td>
          <td class="wrap">{d.task}</td>
          <td>
            {d.sessionId ? <a href={`/sessions/${d.sessionId}`}>{shortId(d.sessionId)}</a> : "any session"}
          </td>
          <td>
            <Time at={d.createdAt} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/**
 * The Agents page: `GET /agents` (registered agents with their halted state, capabilities and tags, a Kill…
 * link into the kill switch's confirmation flow or Resume; delegations) and its live fragment
 * `/fragments/agents` (reloaded when an agent registers or a kill switch changes).
 */
export function registerAgentPages(ui: UiRouter, deps: UiDeps): void {
  const cp = deps.controlPlane;
  const load = () =>
    Promise.all([cp.listAgents({ limit: AGENT_LIMIT }), cp.listKillSwitches({ engagedOnly: true })]);

  ui.get("/agents", async (c) => {
    const [[agents, engaged], delegations] = await Promise.all([
      load(),
      cp.listDelegations({ limit: DELEGATION_LIMIT }),
    ]);
    const canKill = can(c.get("principal"), "kill");
    return renderPage(
      c,
      { title: "Agents", active: "agents" },
      <>
        <section aria-labelledby="agents-title">
          <h2 id="agents-title">Registered agents</h2>
          <LiveRegion
            id="agents-table"
            src="/fragments/agents"
            on="sse:agent_registered, sse:kill_switch_engaged, sse:kill_switch_released"
          >
            <AgentTable agents={agents} engaged={engaged} csrf={c.get("csrf")} canKill={canKill} />
          </LiveRegion>
        </section>
        <section aria-labelledby="delegations-title">
          <h2 id="delegations-title">Delegations</h2>
          <DelegationTable delegations={delegations} />
        </section>
      </>,
    );
  });

  ui.get("/fragments/agents", async (c) => {
    const [agents, engaged] = await load();
    return renderFragment(
      c,
      <AgentTable
        agents={agents}
        engaged={engaged}
        csrf={c.get("csrf")}
        canKill={can(c.get("principal"), "kill")}
      />,
    );
  });
}
