import { Link } from '../router/link.tsx';

export function NotFound({ pathname }: { pathname: string }) {
  return (
    <div className="state state-error">
      <h2>Page not found</h2>
      <p>
        Nothing lives at <code>{pathname}</code>. Try <Link to="/traces">trace search</Link>.
      </p>
    </div>
  );
}
