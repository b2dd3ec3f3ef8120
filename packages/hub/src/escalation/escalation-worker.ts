// The escalation engine's loop on its own thread: firing due steps, sending the channels (SMTP,
// Slack, PagerDuty, webhooks) and recording each outcome, with its own console.db connection. The
// main thread keeps the webhook, the console and the incident events (which only write rows);
// this thread's sends, their garbage and their commits no longer share the event loop with them.
import { parentPort, workerData } from 'node:worker_threads';
import { ChannelSender } from '../channels/channels.ts';
import { IncidentStore } from '../incidents/incidents.ts';
import { openConsoleDatabase } from '../storage/console-db.ts';
import { EscalationEngine } from './escalation-engine.ts';
import {
  backoff,
  type EscalationInit,
  type FromEscalation,
  type ToEscalation,
} from './escalation-protocol.ts';

const init = workerData as EscalationInit;
const port = parentPort!;
const post = (m: FromEscalation) => port.postMessage(m);
const logger = {
  error(obj: Record<string, unknown>, msg: string) {
    const err = obj.err instanceof Error ? { message: obj.err.message, stack: obj.err.stack } : obj.err;
    post({ type: 'log', obj: { ...obj, ...(err ? { err } : {}) }, msg });
  },
};

const db = openConsoleDatabase(init.dbFile, { main: false }); // opened and migrated by the main thread
db.pragma('wal_autocheckpoint = 0'); // the checkpointer thread checkpoints (storage/console-checkpointer.ts)
let oncall = init.oncall;
const sender = new ChannelSender({ env: process.env, smtp: init.smtp, timeoutMs: init.notifyTimeoutMs });
const engine = new EscalationEngine({
  db,
  incidents: new IncidentStore(db),
  oncall: () => oncall,
  sender,
  metrics: {
    step: (policy) => post({ type: 'step', policy }),
    notification: (channelType, outcome) => post({ type: 'notification', channelType, outcome }),
    lag: (seconds) => post({ type: 'lag', seconds }),
  },
  logger,
  consoleUrl: init.consoleUrl,
  tickMs: init.tickMs,
  maxAttempts: init.maxAttempts,
  backoffMs: (attempt) => backoff(init.backoffMs, attempt),
});
engine.start();

port.on('message', async (m: ToEscalation) => {
  if (m.type === 'kick') void engine.tick();
  else if (m.type === 'oncall') oncall = m.config;
  else if (m.type === 'stop') {
    await engine.stop();
    sender.close();
    db.close();
    post({ type: 'stopped' });
    port.close();
  }
});
