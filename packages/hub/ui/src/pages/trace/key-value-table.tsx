import type { KeyValue } from '../../api/types.ts';

export function KeyValueTable({ rows, label }: { rows: KeyValue[]; label: string }) {
  if (rows.length === 0) return <p className="muted">No {label.toLowerCase()}.</p>;
  return (
    <table className="kv" aria-label={label}>
      <tbody>
        {rows.map((kv) => (
          <tr key={kv.key}>
            <th scope="row">{kv.key}</th>
            <td>
              <code>{String(kv.value)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
