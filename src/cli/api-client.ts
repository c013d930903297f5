import { CliError, EXIT, type ExitCode, usageError } from "./io.js";

/** Where the server is and who calls it (`--url` / `ACP_URL`, `--token` / `ACP_TOKEN`). */
export interface ApiClientOptions {
  readonly url: string;
  readonly token?: string | undefined;
  /** Replaces the global `fetch` (tests). */
  readonly fetch?: typeof fetch;
}

/** One request: query parameters (undefined ones left out), a JSON body, extra headers, a cancel signal. */
export interface ApiRequest {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A small HTTP client of the control plane's `/v1` API that turns every failure into a {@link CliError}. */
export interface ApiClient {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** Sends a request and returns the parsed JSON body of a 2xx answer. */
  request<T>(method: string, path: string, init?: ApiRequest): Promise<T>;
  /** Sends a request and returns the raw 2xx response (for streams); failures as for {@link ApiClient.request}. */
  open(method: string, path: string, init?: ApiRequest): Promise<Response>;
}

/** The exit code for an HTTP error status: 401/403 auth, 404 not found, 409 conflict, 400/413/422 usage. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 400 || status === 413 || status === 422) return EXIT.usage;
  return EXIT.failure;
}

interface Envelope {
  readonly error?: unknown;
  readonly details?: { readonly code?: unknown; readonly issues?: unknown };
}

/**
 * The lines describing an error answer: the envelope's message (its first line) and code, then each field
 * issue of `details.issues` (or, without issues, the rest of a multi-line message).
 */
export function describeErrorBody(status: number, body: unknown): { message: string; lines: string[] } {
  const env = (body !== null && typeof body === "object" ? body : {}) as Envelope;
  const code = typeof env.details?.code === "string" ? ` (${env.details.code})` : "";
  const [first, ...rest] = typeof env.error === "string" ? env.error.split("\n") : [];
  const message = first ? `${first.replace(/:$/, "")}${code}` : `the server answered HTTP ${status}${code}`;
  const lines: string[] = [];
  if (Array.isArray(env.details?.issues)) {
    for (const issue of env.details.issues as { path?: unknown; message?: unknown }[]) {
      lines.push(`  ${String(issue?.path || "(root)")}: ${String(issue?.message ?? "invalid")}`);
    }
  } else lines.push(...rest.filter((l) => l.trim() !== ""));
  return { message: `HTTP ${status}: ${message}`, lines };
}

/** Parses and checks a `--url` value. */
export function parseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`--url: not a URL: ${value}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(`--url: expected an http(s) URL, got ${value}`);
  }
  return url.href.replace(/\/+$/, "");
}

/** Creates the client. `url` must be an http(s) URL (a usage error otherwise). */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = parseBaseUrl(options.url);
  const doFetch = options.fetch ?? fetch;

  const open = async (method: string, path: string, init: ApiRequest = {}): Promise<Response> => {
    const target = new URL(baseUrl + path);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) target.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: "application/json", ...init.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (init.body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await doFetch(target, {
        method,
        headers,
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new CliError(EXIT.failure, `cannot reach ${baseUrl}: ${why}`);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const { message, lines } = describeErrorBody(res.status, body);
    if ((res.status === 401 || res.status === 403) && !options.token) {
      lines.push("  (no token given: pass --token or set ACP_TOKEN)");
    }
    throw new CliError(exitCodeForStatus(res.status), message, lines);
  };

  return {
    baseUrl,
    open,
    async request<T>(method: string, path: string, init?: ApiRequest): Promise<T> {
      const res = await open(method, path, init);
      const text = await res.text();
      if (text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new CliError(
          EXIT.failure,
          `the server answered HTTP ${res.status} with a body that is not JSON`,
        );
      }
    },
  };
}

/** Escapes one path segment (ids are user input). */
export function seg(value: string): string {
  return encodeURIComponent(value);
}
