export function LogAttributes({ attributes }: { attributes: Record<string, unknown> }) {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return null;
  return (
    <span className="log-attrs">
      {entries.map(([k, v]) => (
        <span key={k} className="log-attr">
          {k}=<code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
        </span>
      ))}
    </span>
  );
}
