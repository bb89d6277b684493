// Fixed-width text tables for the soak's per-cycle rows and summary.

export class Table {
  constructor(private readonly columns: Array<[name: string, width: number]>) {}

  header(): string {
    const names = this.line(this.columns.map(([name]) => name));
    return `${names}${this.columns.map(([, w]) => '-'.repeat(w)).join('-+-')}\n`;
  }

  row(cells: Array<string | number>): string {
    return this.line(cells.map(String));
  }

  /** Numbers right-aligned, text left-aligned; overlong text is cut with "…". */
  private line(cells: string[]): string {
    const out = this.columns.map(([, width], i) => {
      const text = cells[i] ?? '';
      const cut = text.length > width ? `${text.slice(0, width - 1)}…` : text;
      return /^-?\d+$/.test(cut) ? cut.padStart(width) : cut.padEnd(width);
    });
    return `${out.join(' | ').trimEnd()}\n`;
  }
}
