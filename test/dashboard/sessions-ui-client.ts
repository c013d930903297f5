/**
 * A signed-in dashboard client against a real server, for the tests of the sessions, agents and kill switch
 * pages (see test/support/dashboard-client.ts).
 */
import { type DashboardClient, serverHandler, signInDashboard } from "../support/dashboard-client.js";

/** A signed-in dashboard user. */
export type UiClient = Pick<DashboardClient, "get" | "post">;

/** Signs in at `url` with `token`. */
export function signInClient(url: string, token: string): Promise<UiClient> {
  return signInDashboard(serverHandler, token, url);
}
