import { signOut, useSession } from '../api/session.ts';
import { Link } from '../router/link.tsx';
import type { Route } from '../routes.tsx';

export function NavBar({ routes, pathname }: { routes: Route[]; pathname: string }) {
  const session = useSession();
  return (
    <header className="nav">
      <Link to="/traces" className="brand">
        Vigil
      </Link>
      <nav>
        {routes.map((r) =>
          r.nav ? (
            <Link
              key={r.path}
              to={r.path}
              className={
                pathname === r.nav.section || pathname.startsWith(`${r.nav.section}/`) ? 'active' : undefined
              }
            >
              {r.nav.label}
            </Link>
          ) : null,
        )}
      </nav>
      <span className="nav-user">
        {session.state === 'signed-in' ? (
          <>
            <span data-testid="signed-in-user">
              {session.session.user} ({session.session.role})
            </span>{' '}
            <Link to="/sink">sink</Link>{' '}
            <button type="button" className="link-button" onClick={() => void signOut()}>
              Sign out
            </button>
          </>
        ) : null}
      </span>
    </header>
  );
}
