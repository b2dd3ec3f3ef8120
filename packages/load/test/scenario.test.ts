import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listScenarios, loadScenario, loadScenarioFile, ScenarioError } from '../src/scenario.ts';
import { jsonPath, render } from '../src/template.ts';

describe('scenarios', () => {
  it('every built-in scenario validates', async () => {
    const names = listScenarios().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['browse', 'checkout', 'checkout-rush', 'order']));
    for (const name of names) expect((await loadScenario(name)).name).toBe(name);
  });

  it('a bad scenario file gets one error per field path', async () => {
    const file = join(tmpdir(), `vigil-load-bad-${process.pid}.yaml`);
    writeFileSync(
      file,
      [
        'name: Bad Name',
        'journeys:',
        '  - name: j',
        '    weight: -1',
        '    steps:',
        '      - name: s',
        '        path: products',
        '        check: { status: [200], json: [{ path: id }] }',
        '        surprise: true',
      ].join('\n'),
    );
    const err = await loadScenarioFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    const issues = (err as ScenarioError).issues.join('\n');
    expect(issues).toMatch(/^name: must be/m);
    expect(issues).toMatch(/^journeys\[0\]\.weight: /m);
    expect(issues).toMatch(/^journeys\[0\]\.steps\[0\]\.path: must start with \//m);
    expect(issues).toMatch(
      /^journeys\[0\]\.steps\[0\]\.check\.json\[0\]: needs one of equals, oneOf, exists/m,
    );
    expect(issues).toMatch(/^journeys\[0\]\.steps\[0\]: Unrecognized key: "surprise"/m);
  });

  it('templates keep types, read variables and pools; JSON paths navigate arrays', () => {
    const ctx = { vars: { id: 7 }, data: { p: [3] } };
    expect(render({ a: '{{id}}', b: '/x/{{id}}', c: ['{{pick p}}'] }, ctx)).toEqual({
      a: 7,
      b: '/x/7',
      c: [3],
    });
    expect(() => render('{{nope}}', ctx)).toThrow(/unknown variable 'nope'/);
    const body = { items: [{ id: 1 }, { id: 2 }] };
    expect(jsonPath(body, 'items.1.id')).toBe(2);
    expect(jsonPath(body, 'items.length')).toBe(2);
    expect([1, 2]).toContain(jsonPath(body, 'items.*.id'));
    expect(jsonPath(body, 'items.5.id')).toBeUndefined();
  });
});
