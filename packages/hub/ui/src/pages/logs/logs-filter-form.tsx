import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { LEVELS, LOG_RANGES, type LogFilters, parseAttr } from './log-filters.ts';

export function LogsFilterForm({
  initial,
  onApply,
}: {
  initial: LogFilters;
  onApply: (f: LogFilters) => void;
}) {
  const [f, setF] = useState(initial);
  const services = useApi('services', (signal) => api.services(signal));
  const serviceList = services.state === 'ready' ? [...services.data] : [];
  if (f.service && !serviceList.includes(f.service)) serviceList.push(f.service);
  const attrError = typeof parseAttr(f.attr) === 'string' ? (parseAttr(f.attr) as string) : undefined;
  const set =
    (field: keyof LogFilters, applyNow = false) =>
    (e: { target: { value: string } }) => {
      const next = { ...f, [field]: e.target.value };
      setF(next);
      if (applyNow) onApply(next);
    };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!attrError) onApply(f);
  };
  return (
    <form className="panel logs-filters" onSubmit={submit} aria-label="Log filters">
      <label>
        Service
        <select name="service" value={f.service} onChange={set('service', true)}>
          <option value="">All services</option>
          {serviceList.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        Level
        <select name="level" value={f.level} onChange={set('level', true)}>
          <option value="">Any level</option>
          {LEVELS.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </label>
      <label className="wide">
        Text
        <input name="q" type="search" value={f.q} onChange={set('q')} placeholder="Search message text" />
      </label>
      <label className="wide">
        Trace ID
        <input
          name="trace_id"
          value={f.trace_id}
          onChange={set('trace_id')}
          placeholder="32 hex characters"
        />
      </label>
      <label>
        Attribute
        <input
          name="attr"
          value={f.attr}
          onChange={set('attr')}
          placeholder="key=value"
          aria-invalid={attrError ? true : undefined}
        />
      </label>
      <label>
        Time range
        <select name="range" value={f.range} onChange={set('range', true)}>
          {LOG_RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={Boolean(attrError)}>
        Search
      </button>
      {attrError ? <p className="field-error">{attrError}</p> : null}
    </form>
  );
}
