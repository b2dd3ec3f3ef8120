import { useEffect } from 'react';
import { NavBar } from './components/nav-bar.tsx';
import { NotFound } from './components/not-found.tsx';
import { navigate, useLocation } from './router/history.ts';
import { matchPath } from './router/match.ts';
import { routes } from './routes.tsx';

export function App() {
  const { pathname } = useLocation();
  useEffect(() => {
    if (pathname === '/') navigate('/traces', { replace: true });
  }, [pathname]);
  let page = null;
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) {
      page = route.render(params);
      break;
    }
  }
  return (
    <div className="app">
      <NavBar routes={routes} pathname={pathname} />
      <main className="page">{page ?? (pathname === '/' ? null : <NotFound pathname={pathname} />)}</main>
    </div>
  );
}
