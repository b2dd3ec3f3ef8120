import type { ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status">
      Loading {what}…
    </div>
  );
}

export function ErrorState({ title, message }: { title: string; message: string }) {
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>{message}</p>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}
