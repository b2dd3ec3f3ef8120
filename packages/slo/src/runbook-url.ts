/** Where runbooks live; every alert's runbook_url is this base + `/<AlertName>.md`. */
export const RUNBOOK_BASE_URL = 'https://github.com/vigil-observability/vigil/blob/main/docs/runbooks';

export function runbookUrl(alertName: string): string {
  return `${RUNBOOK_BASE_URL}/${alertName}.md`;
}
