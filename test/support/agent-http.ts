/**
 * What the agent processes of the end-to-end and browser tests share: their settings from the environment
 * (ACP_URL, ACP_TOKEN), a JSON call over plain `fetch` and one JSON line per step on stdout.
 */

/** Calls `method path` on ACP_URL with the agent token; the JSON answer, or throws naming the status. */
export async function agentCall(
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(process.env.ACP_URL! + path, {
    method,
    headers: { authorization: `Bearer ${process.env.ACP_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Prints one step as a JSON line (read back by `jsonStep` in child-process.ts). */
export function say(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
