/** A small seeded PRNG (mulberry32) so a failing fuzz case reproduces from its seed. */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (maxExclusive) => Math.floor(next() * maxExclusive),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  };
}

const NASTY_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'undefined',
  'true',
  '__proto__',
  'constructor',
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  '%00',
  '\u0000',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '😀'.repeat(50),
  'a'.repeat(5000),
  '9'.repeat(40),
  '0x10',
  '1.5',
  ' 1',
  '１２',
];

function randomText(prng: Prng, maxLength = 40): string {
  const length = prng.int(maxLength);
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(prng.int(0x3000));
  return out;
}

/** A random scalar, often a nasty edge case. */
export function randomScalar(prng: Prng): unknown {
  switch (prng.int(8)) {
    case 0:
      return prng.pick(NASTY_STRINGS);
    case 1:
      return randomText(prng);
    case 2:
      return prng.pick([0, -1, 1, 2 ** 53, -(2 ** 53), 1.5, 1e308, -0, 2147483648]);
    case 3:
      return prng.int(1000) - 500;
    case 4:
      return prng.pick([true, false, null]);
    case 5:
      return [];
    case 6:
      return {};
    default:
      return prng.next() * 1e6;
  }
}

/** A random JSON value up to `depth` levels, mixing in the `keys` a real endpoint expects. */
export function randomJsonValue(prng: Prng, keys: readonly string[] = [], depth = 3): unknown {
  if (depth <= 0 || prng.next() < 0.3) return randomScalar(prng);
  if (prng.next() < 0.3) {
    return Array.from({ length: prng.int(5) }, () => randomJsonValue(prng, keys, depth - 1));
  }
  const obj: Record<string, unknown> = {};
  const count = prng.int(6);
  for (let i = 0; i < count; i++) {
    const key = keys.length > 0 && prng.next() < 0.7 ? prng.pick(keys) : randomText(prng, 10);
    obj[key] = randomJsonValue(prng, keys, depth - 1);
  }
  return obj;
}

/** A request body as raw text: valid JSON of random shape, or malformed/truncated JSON. */
export function randomBodyText(prng: Prng, keys: readonly string[] = []): string {
  const valid = JSON.stringify(randomJsonValue(prng, keys)) ?? 'null';
  switch (prng.int(6)) {
    case 0:
      return valid.slice(0, prng.int(valid.length + 1));
    case 1:
      return randomText(prng, 80);
    case 2:
      return `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}`;
    default:
      return valid;
  }
}

/** A random path segment or query value (URL-encoded), often a nasty edge case. */
export function randomUrlComponent(prng: Prng): string {
  const raw = prng.next() < 0.5 ? prng.pick(NASTY_STRINGS) : String(randomScalar(prng));
  return encodeURIComponent(raw.slice(0, 300));
}
