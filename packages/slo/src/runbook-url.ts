/**
 * The runbook base the rule files in the repository carry: the console (hub) on its default port,
 * which serves docs/runbooks at /runbooks/<AlertName>. `vigil start` rewrites it to
 * VIGIL_RUNBOOK_BASE_URL, or to the console of that run, when it renders the rules.
 */
export const RUNBOOK_BASE_URL = 'http://127.0.0.1:4000/runbooks';

/** An alert's runbook link: `<base>/<AlertName>`. */
export function runbookUrl(alertName: string, base: string = RUNBOOK_BASE_URL): string {
  return `${base.replace(/\/+$/, '')}/${alertName}`;
}

/** A rules file's text with every runbook link moved from RUNBOOK_BASE_URL to `base`. */
export function rebaseRunbookUrls(rulesText: string, base: string): string {
  return rulesText.replaceAll(`${RUNBOOK_BASE_URL}/`, `${base.replace(/\/+$/, '')}/`);
}
