/**
 * A signal aborted when any of `signals` aborts, with `dispose()` to detach it again. Unlike
 * `AbortSignal.any`, nothing stays registered on a long-lived signal (such as the app's shutdown signal) once
 * the request is over, however many requests link to it.
 */
export function linkedSignal(...signals: readonly AbortSignal[]): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const dispose = () => {
    for (const s of signals) s.removeEventListener("abort", onAbort);
  };
  for (const s of signals) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener("abort", onAbort, { once: true });
  }
  if (controller.signal.aborted) dispose();
  return { signal: controller.signal, dispose };
}
