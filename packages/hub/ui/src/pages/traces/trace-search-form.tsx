import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { TIME_RANGES } from '../../lib/format.ts';
import { checkDuration, parseTags, type TraceSearch } from './trace-search-query.ts';

interface Props {
  initial: TraceSearch;
  onSearch: (s: TraceSearch) => void;
}

export function TraceSearchForm({ initial, onSearch }: Props) {
  const [s, setS] = useState(initial);
  const services = useApi('services', (signal) => api.services(signal));
  const operations = useApi(`ops:${s.service}`, (signal) =>
    s.service ? api.operations(s.service, signal) : Promise.resolve([]),
  );
  const set = (field: keyof TraceSearch) => (e: { target: { value: string } }) =>
    setS((prev) => ({ ...prev, [field]: e.target.value, ...(field === 'service' ? { operation: '' } : {}) }));
  const tagsError = typeof parseTags(s.tags) === 'string' ? (parseTags(s.tags) as string) : undefined;
  const durationError = checkDuration(s.minDuration) ?? checkDuration(s.maxDuration);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!tagsError && !durationError) onSearch(s);
  };
  const serviceList = services.state === 'ready' ? [...services.data] : [];
  if (s.service && !serviceList.includes(s.service)) serviceList.push(s.service);
  const opList = operations.state === 'ready' ? [...operations.data] : [];
  if (s.operation && !opList.includes(s.operation)) opList.push(s.operation);

  return (
    <form className="panel search-form" onSubmit={submit} aria-label="Trace search">
      <label>
        Service
        <select name="service" value={s.service} onChange={set('service')}>
          <option value="">All services</option>
          {serviceList.map((svc) => (
            <option key={svc} value={svc}>
              {svc}
            </option>
          ))}
        </select>
      </label>
      {services.state === 'error' ? (
        <p className="field-error">Services unavailable: {services.message}</p>
      ) : null}
      <label>
        Operation
        <select name="operation" value={s.operation} onChange={set('operation')} disabled={!s.service}>
          <option value="">All operations</option>
          {opList.map((op) => (
            <option key={op} value={op}>
              {op}
            </option>
          ))}
        </select>
      </label>
      <label>
        Tags
        <input
          name="tags"
          value={s.tags}
          onChange={set('tags')}
          placeholder="http.status_code=500 error=true"
          aria-invalid={tagsError ? true : undefined}
        />
      </label>
      {tagsError ? <p className="field-error">{tagsError}</p> : null}
      <div className="row">
        <label>
          Min duration
          <input
            name="minDuration"
            value={s.minDuration}
            onChange={set('minDuration')}
            placeholder="e.g. 10ms"
          />
        </label>
        <label>
          Max duration
          <input
            name="maxDuration"
            value={s.maxDuration}
            onChange={set('maxDuration')}
            placeholder="e.g. 1.5s"
          />
        </label>
      </div>
      {durationError ? <p className="field-error">{durationError}</p> : null}
      <div className="row">
        <label>
          Time range
          <select name="range" value={s.range} onChange={set('range')}>
            {TIME_RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Limit
          <input name="limit" type="number" min={1} max={1000} value={s.limit} onChange={set('limit')} />
        </label>
      </div>
      <button type="submit" className="primary" disabled={Boolean(tagsError || durationError)}>
        Find traces
      </button>
    </form>
  );
}
