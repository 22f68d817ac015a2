/** Plain-text layout for terminal reports: word wrapping and aligned tables, nothing clinical. */

export const REPORT_WIDTH = 100;

/** Wraps `text` to `width` columns: the first line starts with `first`, the others with `indent`. */
export function wrap(text: string, indent = '  ', width = REPORT_WIDTH, first = indent): string[] {
  const lines: string[] = [];
  let line = '';
  let prefix = first;
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      prefix = indent;
      line = word;
    } else line = line.length === 0 ? word : `${line} ${word}`;
  }
  if (line.length > 0) lines.push(prefix + line);
  return lines;
}

/** A list item: `  - text`, continuation lines aligned under the text. */
export function bullet(text: string, marker = '-'): string[] {
  return wrap(text, '    ', REPORT_WIDTH, `  ${marker} `);
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    indent +
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format)];
}
