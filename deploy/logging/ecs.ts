// Vigil's stdout JSON log line -> Elastic Common Schema fields, by the table in ecs-fields.json.
// The Logstash pipeline (deploy/logstash/pipeline/vigil.conf) applies the same table the same
// way: a listed field goes to its ECS name (one level of nesting, e.g. err.message; byEvent
// entries only on lines of that event), anything else to vigil.<field> (a `flattened` field in the index template, so it cannot collide).
import { readFileSync } from 'node:fs';

export interface EcsTable {
  readonly fields: Readonly<Record<string, string>>;
  readonly unmappedPrefix: string;
  /** Per `event` value: extra field -> ECS name, only on lines of that event. */
  readonly byEvent?: Readonly<Record<string, Readonly<Record<string, string>> | string>>;
}

export const ECS_TABLE: EcsTable = JSON.parse(
  readFileSync(new URL('./ecs-fields.json', import.meta.url), 'utf8'),
) as EcsTable;

/** ECS field (dotted) -> value, for one parsed log line. */
export function toEcs(
  line: Readonly<Record<string, unknown>>,
  table: EcsTable = ECS_TABLE,
): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  const mapped = Object.keys(table.fields);
  for (const [key, value] of Object.entries(line)) {
    const nested =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      mapped.some((f) => f.startsWith(`${key}.`));
    if (nested) for (const [k2, v2] of Object.entries(value as object)) flat.set(`${key}.${k2}`, v2);
    else flat.set(key, value);
  }
  const byEvent = typeof line.event === 'string' ? table.byEvent?.[line.event] : undefined;
  const eventFields = typeof byEvent === 'object' ? byEvent : {};
  const out = new Map<string, unknown>();
  for (const [key, value] of flat) {
    const target =
      eventFields[key] ?? table.fields[key] ?? `${table.unmappedPrefix}.${key.replaceAll('.', '_')}`;
    out.set(target, value);
  }
  return out;
}
