import { useSyncExternalStore } from 'react';
import { ApiError, getJson } from './client.ts';

export interface SessionInfo {
  user: string;
  role: 'viewer' | 'responder' | 'admin';
  csrfToken: string;
}

type State = { state: 'unknown' } | { state: 'anonymous' } | { state: 'signed-in'; session: SessionInfo };

let current: State = { state: 'unknown' };
const listeners = new Set<() => void>();
const set = (s: State) => {
  current = s;
  for (const l of listeners) l();
};

export function useSession(): State {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}

export async function refreshSession(): Promise<void> {
  try {
    set({ state: 'signed-in', session: await getJson<SessionInfo>('/api/auth/session') });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) set({ state: 'anonymous' });
    else set({ state: 'anonymous' });
  }
}

/** A state-changing console call: same-origin, with the session's CSRF token. */
export async function send<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const csrf = current.state === 'signed-in' ? current.session.csrfToken : '';
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      'x-csrf-token': csrf,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.status === 401) set({ state: 'anonymous' });
  if (!res.ok) {
    const message = (parsed as { error?: { message?: string } } | undefined)?.error?.message;
    throw new ApiError(res.status, message ?? `The hub answered ${res.status}`);
  }
  return parsed as T;
}

export async function signIn(name: string, password: string): Promise<void> {
  const res = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name, password }),
  });
  const body = (await res.json().catch(() => ({}))) as SessionInfo & { error?: { message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.message ?? `sign-in failed (${res.status})`);
  set({ state: 'signed-in', session: body });
}

export async function signOut(): Promise<void> {
  await send('POST', '/api/auth/logout').catch(() => undefined);
  set({ state: 'anonymous' });
}

export function canRespond(s: State): boolean {
  return s.state === 'signed-in' && (s.session.role === 'responder' || s.session.role === 'admin');
}
