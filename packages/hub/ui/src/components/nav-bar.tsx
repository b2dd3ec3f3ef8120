import { Link } from '../router/link.tsx';
import type { Route } from '../routes.tsx';

export function NavBar({ routes, pathname }: { routes: Route[]; pathname: string }) {
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
    </header>
  );
}
