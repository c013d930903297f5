/** Styles of the sessions pages (part of `/assets/dashboard.css`). */
export const SESSIONS_CSS = `
`;
