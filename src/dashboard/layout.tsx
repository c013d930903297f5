import type { Child } from "hono/jsx";
import { can, type Principal } from "../auth/roles.js";
import { ASSET_PATHS } from "./assets.js";
import { KillBanner } from "./pages/kill-banner.js";

/** The pages of the navigation bar, in order. */
export const NAV = [
  { href: "/", label: "Approvals", id: "approvals" },
  { href: "/sessions", label: "Sessions", id: "sessions" },
  { href: "/agents", label: "Agents", id: "agents" },
  { href: "/kill", label: "Kill switch", id: "kill" },
  { href: "/audit", label: "Audit log", id: "audit" },
  { href: "/policy", label: "Policy", id: "policy" },
  { href: "/attention", label: "Attention", id: "attention" },
] as const;
/** One page of {@link NAV}. */
export type NavId = (typeof NAV)[number]["id"];

/**
 * htmx settings: no eval, no inline styles (the Content-Security-Policy forbids both), and error answers are
 * swapped in like any page so that their message is shown.
 */
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  historyCacheSize: 0,
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[45]..", swap: true, error: true },
  ],
});

/** Props of {@link Layout}. */
export interface LayoutProps {
  readonly title: string;
  /** The signed-in principal; absent on the sign-in page. */
  readonly principal?: Principal;
  /** CSRF token of the sign-in (sent by htmx as `X-CSRF-Token`; forms carry it as `_csrf`). */
  readonly csrf?: string;
  /** The active page in the navigation bar. */
  readonly active?: NavId;
  /** Query string of the live stream `/ui/stream` (filters of the `row` events), e.g. `session_id=…`. */
  readonly streamQuery?: string;
  /** Feed id the live stream starts after (the head when the page rendered), unless `streamQuery` sets `after`. */
  readonly streamAfter?: number;
  /** A short message shown above the page (after an action). */
  readonly notice?: string;
  readonly children?: Child;
}

/**
 * The page frame: head with the shipped assets (no CDN), skip link, navigation, the signed-in principal with
 * sign-out, the live connection (`/ui/stream`, htmx SSE extension) that pages hook refreshes onto with
 * `hx-trigger="sse:<event kind>"`, and on every page a banner while the global kill switch is engaged. Every link and form is boosted by htmx and also works without JavaScript.
 */
export function Layout(props: LayoutProps) {
  const p = props.principal;
  const query = [
    props.streamQuery ?? "",
    props.streamAfter !== undefined && !/(^|&)after=/.test(props.streamQuery ?? "")
      ? `after=${props.streamAfter}`
      : "",
  ].filter((q) => q !== "");
  const stream = `/ui/stream${query.length > 0 ? `?${query.join("&")}` : ""}`;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${props.title} · agent-control-plane`}</title>
        <link rel="stylesheet" href={ASSET_PATHS.css} />
        <script src={ASSET_PATHS.htmx} defer></script>
        <script src={ASSET_PATHS.sse} defer></script>
      </head>
      <body
        hx-boost={p ? "true" : undefined}
        hx-headers={props.csrf ? JSON.stringify({ "X-CSRF-Token": props.csrf }) : undefined}
      >
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            agent-control-plane
          </a>
          {p ? (
            <nav aria-label="Main">
              <ul>
                {NAV.map((n) => (
                  <li>
                    <a href={n.href} aria-current={props.active === n.id ? "page" : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          {p ? (
            <form class="who" method="post" action="/logout">
              <input type="hidden" name="_csrf" value={props.csrf ?? ""} />
              <span>
                {p.name} <span class="role">{p.role}</span>
                {can(p, "tickets.decide") ? null : <span class="role muted">read-only</span>}
              </span>
              <button type="submit" class="link">
                Sign out
              </button>
            </form>
          ) : null}
        </header>
        {p ? (
          <div id="live" hx-ext="sse" sse-connect={stream}>
            <Main {...props} />
          </div>
        ) : (
          <Main {...props} />
        )}
      </body>
    </html>
  );
}

function Main(props: LayoutProps) {
  return (
    <main id="main" tabindex={-1}>
      {props.principal ? <KillBanner /> : null}
      <h1>{props.title}</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.children}
    </main>
  );
}
