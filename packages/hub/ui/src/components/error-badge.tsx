export function ErrorBadge({ count }: { count?: number }) {
  return (
    <span className="error-badge" title="Contains spans with error status">
      {count !== undefined && count > 1 ? `${count} errors` : 'error'}
    </span>
  );
}
