import { type FormEvent, useState } from 'react';
import { signIn } from '../../api/session.ts';

export function LoginPage() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(name.trim(), password);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
      setPassword('');
    }
  };
  return (
    <form className="panel login-form" onSubmit={submit} aria-label="Sign in">
      <h2 className="section-title">Sign in to the alert console</h2>
      <p className="muted">
        Users are added with <code>./vigil user add NAME --role responder</code> (in the repository).
      </p>
      <label>
        User
        <input
          name="name"
          autoComplete="username"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
        />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
      </label>
      {error ? (
        <div className="field-error" role="alert">
          {error}
        </div>
      ) : null}
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
