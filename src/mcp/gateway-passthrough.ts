import type { Client } from "@modelcontextprotocol/client";
import type { Server } from "@modelcontextprotocol/server";
import { invalidParams } from "./call-proposal.js";
import { buildToolNameTable } from "./tool-names.js";
import type { Upstream } from "./upstream.js";

/** The capabilities the gateway's servers declare besides tools (what passes through ungoverned). */
export const PASS_THROUGH_CAPABILITIES = {
  prompts: { listChanged: true },
  resources: { listChanged: true },
  completions: {},
} as const;

type Live = { readonly server: string; readonly client: Client };

/**
 * Passes prompts, resources and completions through to the upstreams, ungoverned (only `tools/call` is a
 * proposal). Prompts get exposed names like tools (`server__prompt`, through the same collision-free name table);
 * resource URIs are unchanged and routed to the upstream that listed them (or whose URI template's fixed prefix
 * matches). Lists aggregate every connected upstream that has the capability; one that fails is left out.
 */
export function installPassThrough(server: Server, upstreams: ReadonlyMap<string, Upstream>): void {
  let prompts = new Map<string, { server: string; name: string }>();
  const resources = new Map<string, string>();
  let templates: { server: string; prefix: string }[] = [];

  const live = (capability: "prompts" | "resources" | "completions"): Live[] => {
    const out: Live[] = [];
    for (const [name, u] of upstreams) {
      const client = u.client();
      if (client?.getServerCapabilities()?.[capability] !== undefined) out.push({ server: name, client });
    }
    return out;
  };
  const clientOf = (name: string): Client => {
    const client = upstreams.get(name)?.client();
    if (!client) throw invalidParams(`upstream MCP server "${name}" is not connected (restarting)`);
    return client;
  };

  const listPrompts = async () => {
    const lists = await Promise.all(
      live("prompts").map(async (u) => ({
        ...u,
        prompts: (await u.client.listPrompts().catch(() => undefined))?.prompts ?? [],
      })),
    );
    const names = buildToolNameTable(
      lists.flatMap((l) => l.prompts.map((p) => ({ server: l.server, tool: p.name }))),
    );
    const next = new Map<string, { server: string; name: string }>();
    const listed = lists.flatMap((l) =>
      l.prompts.map((p) => {
        const exposed = names.exposedName(l.server, p.name) ?? p.name;
        next.set(exposed, { server: l.server, name: p.name });
        return { ...p, name: exposed };
      }),
    );
    prompts = next;
    return listed;
  };
  const promptRoute = async (name: string) => {
    if (!prompts.has(name)) await listPrompts();
    const route = prompts.get(name);
    if (!route) throw invalidParams(`Unknown prompt: ${name}`);
    return route;
  };

  const listResources = async () => {
    const lists = await Promise.all(
      live("resources").map(async (u) => ({
        ...u,
        list: (await u.client.listResources().catch(() => undefined))?.resources ?? [],
      })),
    );
    for (const l of lists) for (const r of l.list) resources.set(r.uri, l.server);
    return lists.flatMap((l) => l.list);
  };
  const listTemplates = async () => {
    const lists = await Promise.all(
      live("resources").map(async (u) => ({
        ...u,
        list: (await u.client.listResourceTemplates().catch(() => undefined))?.resourceTemplates ?? [],
      })),
    );
    templates = lists.flatMap((l) =>
      l.list.map((t) => ({ server: l.server, prefix: t.uriTemplate.split("{")[0] ?? "" })),
    );
    return lists.flatMap((l) => l.list);
  };
  const resourceServer = async (uri: string) => {
    const byTemplate = () =>
      templates
        .filter((t) => t.prefix !== "" && uri.startsWith(t.prefix))
        .sort((a, b) => b.prefix.length - a.prefix.length)[0]?.server;
    let found = resources.get(uri) ?? byTemplate();
    if (found === undefined) {
      await Promise.all([listResources(), listTemplates()]);
      found = resources.get(uri) ?? byTemplate();
    }
    if (found === undefined) throw invalidParams(`Unknown resource: ${uri}`);
    return found;
  };

  server.setRequestHandler("prompts/list", async () => ({ prompts: await listPrompts() }));
  server.setRequestHandler("prompts/get", async (request) => {
    const route = await promptRoute(request.params.name);
    return clientOf(route.server).getPrompt({ ...request.params, name: route.name });
  });
  server.setRequestHandler("resources/list", async () => ({ resources: await listResources() }));
  server.setRequestHandler("resources/templates/list", async () => ({
    resourceTemplates: await listTemplates(),
  }));
  server.setRequestHandler("resources/read", async (request) =>
    clientOf(await resourceServer(request.params.uri)).readResource(request.params),
  );
  server.setRequestHandler("completion/complete", async (request) => {
    const { ref } = request.params;
    if (ref.type === "ref/prompt") {
      const route = await promptRoute(ref.name);
      return clientOf(route.server).complete({ ...request.params, ref: { ...ref, name: route.name } });
    }
    return clientOf(await resourceServer(ref.uri)).complete(request.params);
  });
}
