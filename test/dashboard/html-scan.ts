/**
 * A small HTML tokenizer for the dashboard's security tests: it splits markup into tags and attributes the
 * way a browser's tokenizer does (quoted and unquoted attribute values, comments, raw-text elements), so that
 * a test can ask what a browser would see — an injected element, an event-handler attribute, a script — rather
 * than search the text for substrings. Also parses a Server-Sent Events stream the way `EventSource` does.
 */

/** One start or end tag of a page, its attributes decoded; raw-text elements carry their content. */
export interface ScannedTag {
  readonly name: string;
  readonly end: boolean;
  readonly attrs: ReadonlyMap<string, string>;
  /** Content of a raw-text element (`script`, `style`, `title`, `textarea`…), undecoded. */
  readonly content?: string;
}

/** A page as tags plus its decoded text (what a reader sees, attribute values excluded). */
export interface ScannedPage {
  readonly tags: readonly ScannedTag[];
  readonly text: string;
}

const RAW_TEXT = new Set(["script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"]);
const SPACE = /[\t\n\f\r ]/;

/** Decodes the character references the dashboard's escaping produces (and numeric ones). */
export function decodeEntities(s: string): string {
  const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: "\u00a0" };
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, ref: string) => {
    if (ref[0] === "#") {
      const code =
        ref[1] === "x" || ref[1] === "X" ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return String.fromCodePoint(code);
    }
    return named[ref.toLowerCase()] ?? m;
  });
}

/** Tokenizes `html` into tags (with decoded attribute values) and decoded text. */
export function scanHtml(html: string): ScannedPage {
  const tags: ScannedTag[] = [];
  let text = "";
  let i = 0;
  const len = html.length;
  while (i < len) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      text += decodeEntities(html.slice(i));
      break;
    }
    text += decodeEntities(html.slice(i, lt));
    if (html.startsWith("<!--", lt)) {
      const close = html.indexOf("-->", lt + 4);
      i = close < 0 ? len : close + 3;
      continue;
    }
    const end = html[lt + 1] === "/";
    const start = end ? lt + 2 : lt + 1;
    if (html[lt + 1] === "!" || html[lt + 1] === "?") {
      const close = html.indexOf(">", lt);
      i = close < 0 ? len : close + 1;
      continue;
    }
    if (!/[a-zA-Z]/.test(html[start] ?? "")) {
      text += "<";
      i = lt + 1;
      continue;
    }
    let j = start;
    while (j < len && !SPACE.test(html[j]!) && html[j] !== "/" && html[j] !== ">") j++;
    const name = html.slice(start, j).toLowerCase();
    const attrs = new Map<string, string>();
    while (j < len) {
      while (j < len && (SPACE.test(html[j]!) || html[j] === "/")) j++;
      if (j >= len) break;
      if (html[j] === ">") {
        j++;
        break;
      }
      let k = j + 1; // the first character of a name may be "=" (the spec's quirk)
      while (k < len && !SPACE.test(html[k]!) && !"/>=".includes(html[k]!)) k++;
      const attr = html.slice(j, k).toLowerCase();
      j = k;
      while (j < len && SPACE.test(html[j]!)) j++;
      let value = "";
      if (html[j] === "=") {
        j++;
        while (j < len && SPACE.test(html[j]!)) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const close = html.indexOf(q, j + 1);
          value = html.slice(j + 1, close < 0 ? len : close);
          j = close < 0 ? len : close + 1;
        } else {
          let e = j;
          while (e < len && !SPACE.test(html[e]!) && html[e] !== ">") e++;
          value = html.slice(j, e);
          j = e;
        }
      }
      if (!attrs.has(attr)) attrs.set(attr, decodeEntities(value));
    }
    if (!end && RAW_TEXT.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, j);
      const content = html.slice(j, close < 0 ? len : close);
      tags.push({ name, end, attrs, content });
      if (name === "title" || name === "textarea") text += decodeEntities(content);
      i = close < 0 ? len : close;
      continue;
    }
    tags.push({ name, end, attrs });
    i = j;
  }
  return { tags, text };
}

/** Attributes whose value a browser or htmx loads or navigates to. */
const URL_ATTRS = [
  "href",
  "src",
  "action",
  "formaction",
  "poster",
  "hx-get",
  "hx-post",
  "hx-put",
  "hx-patch",
  "hx-delete",
  "sse-connect",
];

/**
 * Whether `value` (a decoded URL attribute) stays on the dashboard: a path (not `//host` nor `/\host`), a
 * query or a fragment, judged after the tab and newline removal browsers apply to URLs.
 */
export function isLocalUrl(value: string): boolean {
  const v = value.replace(/[\t\n\r]/g, "").trim();
  return v === "" || v.startsWith("#") || v.startsWith("?") || /^\/(?![/\\])/.test(v);
}

/**
 * Every way `html` lets hostile text act as markup, as messages (empty when clean): an injected element
 * (`xss-*`), an injected attribute (`data-pwned`), an event-handler or `hx-on` attribute, an inline or foreign
 * script, a URL attribute leaving the dashboard (`javascript:`, `//evil`), a `<base>`, an `hx-headers` /
 * `hx-vals` other than the sign-in's own CSRF header.
 */
export function injectionProblems(html: string, csrf?: string): string[] {
  const problems: string[] = [];
  for (const tag of scanHtml(html).tags) {
    if (tag.end) continue;
    const where = `<${tag.name}>`;
    if (tag.name.startsWith("xss-")) problems.push(`injected element ${where}`);
    if (tag.name === "base") problems.push("a <base> element");
    if (tag.name === "script") {
      const src = tag.attrs.get("src") ?? "";
      if (!src.startsWith("/assets/")) problems.push(`script without a local src (${src || "inline"})`);
      if ((tag.content ?? "").trim() !== "") problems.push(`inline script content ${tag.content}`);
    }
    for (const [name, value] of tag.attrs) {
      if (name === "data-pwned" || name.includes("pwned")) problems.push(`injected attribute on ${where}`);
      if (name.startsWith("on")) problems.push(`event handler ${name} on ${where}`);
      if (name.startsWith("hx-on") || name === "hx-vals" || name === "hx-vars") {
        problems.push(`${name} on ${where}`);
      }
      if (URL_ATTRS.includes(name) && !isLocalUrl(value)) problems.push(`${name}="${value}" on ${where}`);
      if (name === "hx-headers") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          problems.push(`hx-headers is not JSON: ${value}`);
          continue;
        }
        const keys = Object.keys(parsed as object);
        const ok =
          keys.length === 1 &&
          keys[0] === "X-CSRF-Token" &&
          (csrf === undefined || (parsed as Record<string, unknown>)["X-CSRF-Token"] === csrf);
        if (!ok) problems.push(`hx-headers other than the CSRF header: ${value}`);
      }
      // A local URL may carry hostile text as data (a filter in its query string, percent-encoded): the URL
      // rules above judge it. Any other htmx attribute holding it is an injection.
      if (name.startsWith("hx-") && !URL_ATTRS.includes(name) && /pwned/.test(value)) {
        problems.push(`${name}="${value}" on ${where}`);
      }
    }
  }
  return problems;
}

/** One event of a Server-Sent Events stream. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/**
 * Parses an `text/event-stream` body as `EventSource` does: lines end at CRLF, CR or LF; a blank line
 * dispatches; `data` lines join with LF; comments are skipped. An unterminated last event is dropped.
 */
export function parseSse(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  let sawData = false;
  for (const line of body.split(/\r\n|\r|\n/).slice(0, -1)) {
    if (line === "") {
      if (sawData) events.push({ event: event || "message", data: data.join("\n"), id });
      event = "";
      data = [];
      sawData = false;
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") {
      data.push(value);
      sawData = true;
    } else if (field === "id") id = value;
  }
  return events;
}
