/** Styles of the approvals pages (part of `/assets/dashboard.css`). */
export const APPROVALS_CSS = `
`;
