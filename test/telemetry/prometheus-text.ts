/** One sample of a Prometheus text exposition. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition: metric families (HELP, TYPE) and samples. */
export interface PromText {
  readonly types: ReadonlyMap<string, string>;
  readonly help: ReadonlyMap<string, string>;
  readonly samples: readonly PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: ["_total", ""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

/**
 * Parses the Prometheus text format 0.0.4 strictly: every line is a `# HELP`, a `# TYPE` (once per family,
 * before its samples) or a sample of a declared family with well-formed labels and a number.
 * @throws Error naming the line that breaks a rule.
 */
export function parsePrometheusText(text: string): PromText {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: PromSample[] = [];
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  for (const [i, line] of lines.entries()) {
    const fail = (why: string) => {
      throw new Error(`line ${i + 1} (${JSON.stringify(line)}): ${why}`);
    };
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) fail("bad metric name");
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) fail("unknown type");
        if (types.has(name)) fail("second TYPE");
        if (samples.some((s) => familyOf(s.name, types) === name)) fail("TYPE after samples");
        types.set(name, rest);
      } else help.set(name, rest);
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) fail("not a sample");
    const [, name, rawLabels, rawValue] = m as unknown as [string, string, string | undefined, string];
    const value = rawValue === "+Inf" ? Infinity : rawValue === "-Inf" ? -Infinity : Number(rawValue);
    if (rawValue !== "NaN" && Number.isNaN(value)) fail("bad value");
    if (familyOf(name, types) === undefined) fail("sample of an undeclared family");
    samples.push({ name, labels: parseLabels(rawLabels, fail), value });
  }
  return { types, help, samples };
}

function familyOf(sample: string, types: ReadonlyMap<string, string>): string | undefined {
  for (const [family, type] of types) {
    for (const suffix of SUFFIXES[type] ?? [""]) if (sample === family + suffix) return family;
  }
  return undefined;
}

function parseLabels(raw: string | undefined, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  if (raw === undefined || raw === "{}") return labels;
  const body = raw.slice(1, -1);
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
  let at = 0;
  while (at < body.length) {
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m) fail("bad label set");
    const [all, key, value] = m as unknown as [string, string, string];
    if (key in labels) fail(`label ${key} twice`);
    labels[key] = value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    at += all.length;
  }
  return labels;
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function sampleValue(
  parsed: PromText,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const found = parsed.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1)
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]!.value;
}
