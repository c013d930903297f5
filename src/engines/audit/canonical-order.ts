/** Returned by {@link inCanonicalOrder} when only the general RFC 8785 writer can serialize a value. */
export const NOT_PLAIN: unique symbol = Symbol("not plain JSON");

/**
 * A value that `JSON.stringify` writes exactly in RFC 8785 canonical form: `value` itself when its objects' members
 * already come in UTF-16 code-unit order, else a copy whose objects have their members inserted in that order
 * (`JSON.stringify` writes members in `Object.keys` order). {@link NOT_PLAIN} when `JSON.stringify` could write
 * something else than the canonical form: a non-finite number, a function, a symbol, a bigint, an object whose
 * prototype is not `Object.prototype`, `null` or `Array.prototype` (a `Date`, a boxed primitive, a class instance:
 * anything that may carry a `toJSON`), or an object to reorder with a member named like an array index (those
 * always enumerate first) or `__proto__`.
 *
 * Strings and finite numbers are written by `JSON.stringify` exactly as RFC 8785 wants them (ECMAScript
 * Number-to-String, `-0` as `0`; minimal string escapes with lone surrogates as `\udxxx`); `undefined` members are
 * omitted and `undefined` array items written `null`, as the general writer does.
 * @example
 * JSON.stringify(inCanonicalOrder({ b: 1, a: [true] })); // '{"a":[true],"b":1}'
 */
export function inCanonicalOrder(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : NOT_PLAIN;
    case "object":
      if (value === null) return value;
      return Array.isArray(value) ? arrayInOrder(value) : objectInOrder(value);
    default:
      return NOT_PLAIN;
  }
}

function arrayInOrder(array: readonly unknown[]): unknown {
  if (Object.getPrototypeOf(array) !== Array.prototype) return NOT_PLAIN;
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item: unknown = array[i];
    if (item === undefined) continue;
    const ordered = inCanonicalOrder(item);
    if (ordered === NOT_PLAIN) return NOT_PLAIN;
    if (ordered !== item) {
      copy ??= array.slice();
      copy[i] = ordered;
    }
  }
  return copy ?? array;
}

function objectInOrder(value: object): unknown {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (!(keys[i - 1]! < keys[i]!)) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    // Array.prototype.sort without a comparator compares UTF-16 code units: RFC 8785's member order.
    keys.sort();
    if (!insertable(keys)) return NOT_PLAIN;
  }
  let copy: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const member = obj[key];
    let ordered: unknown = member;
    if (member !== undefined) {
      ordered = inCanonicalOrder(member);
      if (ordered === NOT_PLAIN) return NOT_PLAIN;
    }
    if (copy === undefined && (ordered !== member || !sorted)) {
      if (sorted && !insertable(keys)) return NOT_PLAIN;
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]!] = obj[keys[j]!];
    }
    if (copy !== undefined && ordered !== undefined) copy[key] = ordered;
  }
  return copy ?? obj;
}

/** Whether inserting `keys` in their order into a fresh object makes it enumerate them in that order. */
function insertable(keys: readonly string[]): boolean {
  for (const key of keys) {
    const first = key.charCodeAt(0);
    // An array-index-like name ("0", "17") enumerates before the others; "__proto__" would set the prototype.
    if ((first >= 48 && first <= 57) || key === "__proto__") return false;
  }
  return true;
}
