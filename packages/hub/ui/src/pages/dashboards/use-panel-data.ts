import { useEffect, useState } from 'react';
import type { PanelSpec } from './dashboard-types.ts';
import { loadPanel, type PanelData, type TimeWindow } from './panel-data.ts';

export type PanelState =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; data: PanelData };

/** Reloads when the window or service changes; the last answer stays on screen while the next loads. */
export function usePanelData(panel: PanelSpec, window: TimeWindow, service: string): PanelState {
  const [result, setResult] = useState<PanelState>({ state: 'loading' });
  const key = `${window.start}:${window.end}:${window.step}:${window.now}:${window.seq}:${service}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` captures the window and service
  useEffect(() => {
    const ctrl = new AbortController();
    loadPanel(panel, window, service, ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setResult({ state: 'ready', data });
      },
      (err: unknown) => {
        if (!ctrl.signal.aborted)
          setResult({ state: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => ctrl.abort();
  }, [key, panel]);
  return result;
}
