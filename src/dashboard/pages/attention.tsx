import { Badge, BudgetBar, DataTable, LiveRegion, Time } from "../components.js";
import { renderFragment, renderPage } from "../render.js";
import type { UiDeps, UiRouter } from "../ui-context.js";
import { type AttentionItems, loadAttention } from "./attention-data.js";
import { Deadline, Escalation } from "./ticket-card.js";

/** Feed events after which the Attention page is read again (plus a timer: deadlines come closer by themselves). */
const ATTENTION_TRIGGER = [
  "outcome_unknown",
  "execution_completed",
  "execution_failed",
  "proposal_decided",
  "budget_exhausted",
  "approval_requested",
  "approval_granted",
  "approval_denied",
  "approval_expired",
  "approval_escalated",
  "session_paused",
  "session_resumed",
  "session_completed",
  "session_aborted",
]
  .map((k) => `sse:${k}`)
  .concat("every 30s")
  .join(", ");

function SessionLink(props: { id: string; name?: string | null }) {
  return (
    <a href={`/sessions/${encodeURIComponent(props.id)}`}>
      {props.name ? props.name : <code>{props.id}</code>}
    </a>
  );
}

/** The three lists (also the live fragment's body). */
function Attention(props: { items: AttentionItems; now: number }) {
  const { unknown, expiring, exhausted } = props.items;
  const total = unknown.length + expiring.length + exhausted.length;
  return (
    <>
      <p class="pending-count">
        <strong id="attention-count">{total}</strong> {total === 1 ? "item needs" : "items need"} attention
      </p>
      <section class="attention-section" aria-labelledby="att-unknown">
        <h2 id="att-unknown">Outcome unknown ({unknown.length})</h2>
        <p class="muted">
          Allowed actions whose agent never reported the result: check by hand whether they happened.
        </p>
        {unknown.length === 0 ? (
          <p class="card empty">No proposals with an unknown outcome.</p>
        ) : (
          <DataTable
            caption="Proposals with an unknown outcome"
            head={["Action", "Resource", "Agent", "Session", "Cost", "Since"]}
          >
            {unknown.map((p) => (
              <tr>
                <td>
                  <code>{p.action}</code> <Badge value={p.status} />
                </td>
                <td>{p.resourceId ?? <span class="muted">none</span>}</td>
                <td>{p.agentId ?? <span class="muted">none</span>}</td>
                <td>
                  <SessionLink id={p.sessionId} />
                </td>
                <td>{p.cost}</td>
                <td>
                  <Time at={p.updatedAt} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <section class="attention-section" aria-labelledby="att-expiring">
        <h2 id="att-expiring">Approvals running out of time ({expiring.length})</h2>
        <p class="muted">
          Pending tickets in the last fifth of their time (or their last 5 minutes), and escalated ones.
        </p>
        {expiring.length === 0 ? (
          <p class="card empty">No approvals close to their deadline.</p>
        ) : (
          <DataTable
            caption="Tickets close to their deadline"
            head={["Ticket", "Agent", "Session", "Risk", "Deadline"]}
          >
            {expiring.map((t) => (
              <tr>
                <td>
                  <a href={`/tickets/${encodeURIComponent(t.id)}`}>
                    {t.request.action}
                    {t.request.resourceId ? ` on ${t.request.resourceId}` : ""}
                  </a>
                </td>
                <td>{t.request.agentId ?? <span class="muted">none</span>}</td>
                <td>
                  <SessionLink id={t.sessionId} />
                </td>
                <td>
                  <Badge value={t.request.riskLevel} />
                </td>
                <td>
                  <Deadline at={t.deadlineAt} since={t.createdAt} now={props.now} />
                  <Escalation level={t.escalationLevel} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <section class="attention-section" aria-labelledby="att-budget">
        <h2 id="att-budget">Exhausted budgets ({exhausted.length})</h2>
        <p class="muted">
          Open sessions whose cost or action budget is used up: their next proposals are denied.
        </p>
        {exhausted.length === 0 ? (
          <p class="card empty">No open session has used up its budget.</p>
        ) : (
          <DataTable
            caption="Sessions with an exhausted budget"
            head={["Session", "Agent", "Status", "Cost", "Actions"]}
          >
            {exhausted.map((s) => (
              <tr>
                <td>
                  <SessionLink id={s.id} name={s.name} />
                </td>
                <td>{s.agentId ?? <span class="muted">none</span>}</td>
                <td>
                  <Badge value={s.status} />
                </td>
                <td>
                  <BudgetBar used={s.budget.usedCost} max={s.budget.maxCost} label="cost used" />
                </td>
                <td>
                  <BudgetBar
                    used={String(s.budget.usedActions)}
                    max={s.budget.maxActions === null ? null : String(s.budget.maxActions)}
                    label="actions used"
                  />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
    </>
  );
}

/**
 * `GET /attention` and its live fragment `GET /fragments/attention`: proposals in `outcome_unknown`, pending
 * tickets close to their deadline or escalated, and open sessions with an exhausted budget, each linking to
 * its page.
 */
export function registerAttentionPages(ui: UiRouter, deps: UiDeps): void {
  const body = async () => {
    const now = deps.now();
    return <Attention items={await loadAttention(deps.controlPlane, now)} now={now} />;
  };
  ui.get("/attention", async (c) =>
    renderPage(
      c,
      { title: "Attention", active: "attention" },
      <LiveRegion id="attention" src="/fragments/attention" on={ATTENTION_TRIGGER}>
        {await body()}
      </LiveRegion>,
    ),
  );
  ui.get("/fragments/attention", async (c) => renderFragment(c, await body()));
}
