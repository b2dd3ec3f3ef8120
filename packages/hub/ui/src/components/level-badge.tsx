export function LevelBadge({ level }: { level: string }) {
  const l = level.toLowerCase();
  return <span className={`level level-${l}`}>{l}</span>;
}
