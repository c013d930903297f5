import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { type HttpHarness, startHttp } from "./http-server.js";

/**
 * {@link startHttp} with every optional part of the app switched on, for the suites that cover every route (auth
 * matrix, fuzz): the stored-token service behind `/v1/tokens` and a per-token rate limit high enough never to
 * answer 429. Both are passed loosely, so this compiles and runs before the serve and auth work is merged (the
 * token routes then answer 501 and the matrix says so).
 */
export async function startFullHttp(): Promise<HttpHarness> {
  const storage = createMemoryStorage();
  const app: Record<string, unknown> = { limits: { ratePerMinute: 10_000_000 } };
  const tokenModule = "../../src/auth/token-service.js";
  try {
    const { createTokenService } = (await import(/* @vite-ignore */ tokenModule)) as {
      createTokenService: (options: { storage: unknown }) => unknown;
    };
    app.tokens = createTokenService({ storage });
  } catch {
    // No token service on this branch yet.
  }
  return startHttp({ storage, ...({ app } as object) });
}
