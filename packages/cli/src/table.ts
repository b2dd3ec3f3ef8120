/** Plain aligned columns; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A path relative to the cwd when it lies below it (shorter to read), else absolute. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  return path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
}
