import { ACK_PREFIX } from '../alerts/alert-groups.ts';
import type { AlertmanagerClient, AmSilence } from '../alerts/alertmanager-client.ts';
import type { IncidentStore } from './incidents.ts';

/** How long after opening an incident an empty answer from Alertmanager is not yet read as "resolved". */
const RESOLVE_GRACE_MS = 15_000;

/**
 * One pass over the open incidents against Alertmanager, for what never reaches the webhook:
 * - no active alert of the group left → resolved (a silenced alert's resolution is muted too);
 * - every active alert of a triggered incident silenced (a silence made with amtool, karma or
 *   Alertmanager's UI) → acknowledged by the silence's author, with its comment on the timeline;
 *   escalation stops;
 * - the silence an acknowledgement rests on expired or deleted while the alerts still fire →
 *   triggered again; escalation resumes.
 * An Alertmanager that does not answer changes nothing (the next pass tries again).
 */
export async function reconcileIncidents(
  incidents: IncidentStore,
  alertmanagers: AlertmanagerClient[],
  now = Date.now(),
): Promise<void> {
  for (const inc of incidents.open()) {
    const am = alertmanagers.find((a) => a.name === inc.alertmanager);
    const matchers = Object.entries(inc.groupLabels).map(([name, value]) => ({
      name,
      value,
      isRegex: false,
      isEqual: true,
    }));
    if (!am || matchers.length === 0) continue;
    const alerts = await am.alerts(matchers).catch(() => undefined);
    if (!alerts) continue;
    if (alerts.length === 0) {
      if (now - Date.parse(inc.createdAt) >= RESOLVE_GRACE_MS)
        incidents.resolveGone(
          inc.id,
          `resolved: Alertmanager "${am.name}" lists no active alert of the group any more`,
        );
      continue;
    }
    const silencedBy = alerts.map((a) => a.status.silencedBy ?? []);
    if (inc.status === 'triggered' && silencedBy.every((ids) => ids.length > 0)) {
      const ids = [...new Set(silencedBy.flat())];
      const silences = (await Promise.all(ids.map((id) => am.silence(id).catch(() => undefined)))).filter(
        (s): s is AmSilence => s !== undefined && s.status.state === 'active',
      );
      const s = silences.find((x) => x.comment.startsWith(ACK_PREFIX)) ?? silences[0];
      if (!s) continue;
      incidents.acknowledge(inc.id, s.createdBy || 'alertmanager', s.id, {
        kind: 'silenced',
        message: `silenced in Alertmanager "${am.name}" by ${s.createdBy || 'unknown'}: "${s.comment}" (silence ${s.id}, until ${s.endsAt}); escalation stops`,
      });
    } else if (
      inc.status === 'acknowledged' &&
      inc.ackSilence &&
      !silencedBy.some((ids) => ids.includes(inc.ackSilence!))
    ) {
      let silence: AmSilence | null | undefined;
      try {
        silence = await am.silence(inc.ackSilence);
      } catch (err) {
        silence = (err as { statusCode?: number }).statusCode === 404 ? null : undefined;
      }
      if (silence === undefined || silence?.status.state === 'active') continue;
      const author = silence?.createdBy || 'alertmanager';
      incidents.unacknowledgeSilence(
        inc.ackSilence,
        author,
        `silence ${inc.ackSilence} by ${author} ${silence ? 'expired' : 'is gone'} in Alertmanager "${am.name}" while the alerts still fire; escalation resumes`,
      );
    }
  }
}
