/** Styles of the audit pages (part of `/assets/dashboard.css`). */
export const AUDIT_CSS = `
`;
