import { describe, expect, it } from 'vitest';
import { attributesToJson, attributesToObject, type OtlpKeyValue } from '../../src/otlp/any-value.ts';

const limits = { maxAttributes: 5, maxValueLength: 10, maxDepth: 2 };

const cases: OtlpKeyValue[][] = [
  [],
  [{ key: 's', value: { stringValue: 'short' } }],
  [
    { key: 'long', value: { stringValue: 'abcdefghijklmnop' } },
    { key: 'quote"and\\slash\n', value: { stringValue: 'é"\u0000' } },
    { key: 'b', value: { boolValue: false } },
    { key: 'i', value: { intValue: { low: 5, high: 0 } } },
    { key: 'd', value: { doubleValue: Number.NaN } },
    { key: 'dropped', value: { stringValue: 'sixth' } },
  ],
  [
    {
      key: 'nested',
      value: {
        kvlistValue: {
          values: [{ key: 'a', value: { arrayValue: { values: [{ arrayValue: { values: [] } }] } } }],
        },
      },
    },
    { key: 'bytes', value: { bytesValue: new Uint8Array([1, 2, 3]) } },
    { key: 'empty', value: null },
    { key: 'big', value: { intValue: { low: 0, high: 0x7fffffff } } },
  ],
];

describe('attributesToJson', () => {
  it('produces the same JSON as serialising attributesToObject', () => {
    for (const kvs of cases) {
      expect(attributesToJson(kvs, limits)).toBe(JSON.stringify(attributesToObject(kvs, limits).attrs));
    }
  });

  it('appends the extra members and keeps "__proto__" as plain data', () => {
    const json = attributesToJson(
      [{ key: '__proto__', value: { stringValue: 'x' } }],
      limits,
      '"otel.scope.name":"s"',
    );
    const parsed = JSON.parse(json);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe('x');
    expect(parsed['otel.scope.name']).toBe('s');
    expect(attributesToJson(null, limits, '"k":1')).toBe('{"k":1}');
  });
});
