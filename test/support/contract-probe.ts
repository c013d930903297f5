import { expect } from "vitest";
import { type OpenApiDoc, ResponseValidator } from "./contract-validator.js";
import type { HttpHarness } from "./http-server.js";

/** A request to one route of the contract, by its path template. */
export interface ProbeRequest {
  readonly token?: string;
  /** Values of the template's `{name}` segments. */
  readonly params?: Readonly<Record<string, string>>;
  /** Query string without `?`. */
  readonly query?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * Calls routes of the contract over real HTTP and checks each answer: the expected status, and the body valid
 * against the schema the contract declares for that path, method and status AND against the schema of the same
 * route in the server's own `/openapi.json`. Records which statuses each operation was seen with.
 */
export class ContractProbe {
  /** `METHOD /template` → statuses seen. */
  readonly seen = new Map<string, Set<number>>();
  readonly #contract: ResponseValidator;
  readonly #harness: () => HttpHarness;
  #ours: ResponseValidator | undefined;

  constructor(contract: OpenApiDoc, harness: () => HttpHarness) {
    this.#contract = new ResponseValidator(contract, "contract");
    this.#harness = harness;
  }

  /** Sends the request and returns the parsed JSON body after all checks passed. */
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field
  async call(method: string, template: string, req: ProbeRequest, status: number): Promise<any> {
    const h = this.#harness();
    if (this.#ours === undefined) {
      const doc = (await (await h.call("/openapi.json")).json()) as OpenApiDoc;
      this.#ours = new ResponseValidator(doc, "ours");
    }
    let path = template;
    for (const [k, v] of Object.entries(req.params ?? {}))
      path = path.replace(`{${k}}`, encodeURIComponent(v));
    const res = await h.call(`${path}${req.query ? `?${req.query}` : ""}`, {
      method,
      ...(req.token === undefined ? {} : { token: req.token }),
      ...(req.body === undefined ? {} : { body: req.body }),
      ...(req.headers === undefined ? {} : { headers: req.headers }),
    });
    const text = await res.text();
    const label = `${method} ${path} → ${res.status} ${text.slice(0, 400)}`;
    expect(res.status, label).toBe(status);
    expect(res.headers.get("content-type"), label).toMatch(/^application\/json/);
    const body = JSON.parse(text);
    const contract = this.#contract.validate(template, method, status, body);
    expect(contract.ok, `contract schema: ${label}\n${contract.errors}`).toBe(true);
    const ours = this.#ours.validate(template, method, status, body);
    expect(ours.ok, `/openapi.json schema: ${label}\n${ours.errors}`).toBe(true);
    const key = `${method.toUpperCase()} ${template}`;
    if (!this.seen.has(key)) this.seen.set(key, new Set());
    this.seen.get(key)!.add(status);
    return body;
  }
}
