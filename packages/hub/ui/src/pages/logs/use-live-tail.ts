import { useEffect, useRef, useState } from 'react';
import { query } from '../../api/client.ts';
import type { LogRecord } from '../../api/types.ts';

export type TailStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

/** Subscribes to /api/logs/stream while enabled; EventSource reconnects by itself after drops. */
export function useLiveTail(
  enabled: boolean,
  key: string,
  params: Record<string, string | undefined>,
  onRecord: (r: LogRecord) => void,
): TailStatus {
  const [status, setStatus] = useState<TailStatus>('off');
  const onRecordRef = useRef(onRecord);
  onRecordRef.current = onRecord;
  const paramsRef = useRef(params);
  paramsRef.current = params;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` captures every input of params
  useEffect(() => {
    if (!enabled) {
      setStatus('off');
      return;
    }
    setStatus('connecting');
    const source = new EventSource(`/api/logs/stream${query(paramsRef.current)}`);
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'off' : 'reconnecting');
    source.onmessage = (e: MessageEvent<string>) => {
      try {
        onRecordRef.current(JSON.parse(e.data) as LogRecord);
      } catch {
        // A malformed event is skipped; the stream itself stays open.
      }
    };
    return () => source.close();
  }, [enabled, key]);
  return status;
}
