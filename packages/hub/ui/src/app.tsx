import { useEffect } from 'react';
import { refreshSession, useSession } from './api/session.ts';
import { NavBar } from './components/nav-bar.tsx';
import { NotFound } from './components/not-found.tsx';
import { Loading } from './components/status.tsx';
import { LoginPage } from './pages/login/login-page.tsx';
import { navigate, useLocation } from './router/history.ts';
import { matchPath } from './router/match.ts';
import { routes } from './routes.tsx';

export function App() {
  const { pathname } = useLocation();
  useEffect(() => {
    if (pathname === '/') navigate('/traces', { replace: true });
  }, [pathname]);
  const session = useSession();
  useEffect(() => {
    void refreshSession();
  }, []);
  let page = null;
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) {
      if (route.auth && session.state === 'unknown') page = <Loading what="session" />;
      else if (route.auth && session.state === 'anonymous') page = <LoginPage />;
      else page = route.render(params);
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
