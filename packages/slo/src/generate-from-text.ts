import { generateRuleGroups } from './generate-rules.ts';
import { renderRulesFile } from './render-rules.ts';
import { validateSpecText } from './validate-spec.ts';

export type GenerateResult = { ok: true; text: string } | { ok: false; errors: string[] };

/** Spec YAML text → the generated rules file text, or the validation errors. */
export function generateFromSpecText(specText: string, source: string): GenerateResult {
  const result = validateSpecText(specText);
  if (!result.ok) return result;
  return { ok: true, text: renderRulesFile(generateRuleGroups(result.spec), source) };
}
