/**
 * 32-bit FNV-1a hash of a string as a signed int4, used for advisory-lock keys and channel names that
 * are stable for a given schema name.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** {@link fnv1a32} as 8 lowercase hex digits. */
export function fnv1a32Hex(text: string): string {
  return (fnv1a32(text) >>> 0).toString(16).padStart(8, "0");
}
