/** A SQLite JSON path selecting one top-level key verbatim (dots in OTel keys are not path steps). */
export function jsonPath(key: string): string {
  return `$."${key.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
