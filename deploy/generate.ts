// The container deployments' generated files, from the repo's single sources (@vigil/topology,
// monitoring/alertmanager/alertmanager.yml). scripts/generated-artefacts.ts includes them, so
// `make generate` writes them and scripts/test/generated.test.ts fails when one is stale.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../packages/cli/src/index.ts';
import { renderAlertmanagerConfig } from '../packages/cli/src/monitoring/index.ts';
import { deployTopology } from './topology.ts';

/** Repo-relative path -> text. */
export function deployArtefacts(): Map<string, string> {
  const t = deployTopology();
  const files = new Map<string, string>();
  // Alertmanager for docker-compose: the repo's routes, grouping and inhibitions, as local mode
  // renders them, with mail to the SMTP sink and the webhook to the hub by container name.
  files.set(
    'deploy/compose/alertmanager.yml',
    renderAlertmanagerConfig(
      readFileSync(join(repoRoot, 'monitoring/alertmanager/alertmanager.yml'), 'utf8'),
      {
        templatesDir: '/etc/alertmanager/templates',
        hubWebhookUrl: `http://${t.hub.host}:${t.hub.port}/api/alerts/webhook`,
        // compose secret hub-webhook-token (scripts/compose-secrets.sh), also given to the hub
        hubWebhookTokenFile: '/run/secrets/hub-webhook-token',
        smtpSmarthost: `${t.smtpSink.host}:${t.smtpSink.port}`,
      },
    ),
  );
  return files;
}
