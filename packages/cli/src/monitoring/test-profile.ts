import { parse, stringify } from 'yaml';

type RuleFile = { groups?: Array<{ interval?: string; rules?: Array<{ alert?: string; for?: string }> }> };

/**
 * The test profile's transform of a real rules file: every alert's `for` becomes `forDuration`
 * and group intervals are dropped so the (short) global evaluation interval applies. The
 * expressions and labels are untouched, so the end-to-end test exercises the real rules.
 */
export function shortenRules(source: string, forDuration: string): string {
  const rules = parse(source) as RuleFile;
  for (const group of rules.groups ?? []) {
    delete group.interval;
    for (const rule of group.rules ?? []) {
      if (rule.alert !== undefined && rule.for !== undefined) rule.for = forDuration;
    }
  }
  return stringify(rules);
}
