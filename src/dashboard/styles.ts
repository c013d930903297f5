import { APPROVALS_CSS } from "./styles/approvals-css.js";
import { AUDIT_CSS } from "./styles/audit-css.js";
import { BASE_CSS } from "./styles/base-css.js";
import { SESSIONS_CSS } from "./styles/sessions-css.js";

/** The dashboard's whole stylesheet (served as `/assets/dashboard.css`): the base, then each page group's. */
export const DASHBOARD_CSS = [BASE_CSS, APPROVALS_CSS, SESSIONS_CSS, AUDIT_CSS].join("\n");
