/**
 * What `signet` prints. Human mode: sentences and tables on stdout. `--json`: a listing prints JSON Lines
 * (one object per line, nothing else on stdout), any other command exactly one JSON object. Progress goes to
 * stderr, and only when stderr is a terminal, so scripts and pipes see clean output.
 */
import { once } from 'node:events';

export interface OutStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
  once(event: 'drain', listener: () => void): unknown;
}

export class Output {
  private progressShown = false;

  constructor(
    readonly json: boolean,
    private readonly stdout: OutStream = process.stdout,
    private readonly stderr: OutStream = process.stderr,
  ) {}

  /** A sentence for people; nothing in --json mode. */
  say(text: string): void {
    if (this.json) return;
    this.clearProgress();
    this.stdout.write(`${text}\n`);
  }

  /** The one JSON object of a non-listing command (only in --json mode). */
  object(value: unknown): void {
    if (!this.json) return;
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** One JSON Lines record of a listing (only in --json mode); waits when the pipe is full. */
  async record(value: unknown): Promise<void> {
    if (!this.json) return;
    await this.write(`${JSON.stringify(value)}\n`);
  }

  /** One human line of a long listing (streamed, so a million rows need no memory). */
  async row(text: string): Promise<void> {
    if (this.json) return;
    this.clearProgress();
    await this.write(`${text}\n`);
  }

  /** A small table with aligned columns (human mode only). */
  table(headers: string[], rows: string[][]): void {
    if (this.json) return;
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    this.clearProgress();
    this.stdout.write(`${[line(headers), ...rows.map(line)].join('\n')}\n`);
  }

  /** Warnings and notes: stderr, in both modes. */
  note(text: string): void {
    this.clearProgress();
    this.stderr.write(`${text}\n`);
  }

  /** A progress line, rewritten in place; only when stderr is a terminal. */
  progress(text: string): void {
    if (!this.stderr.isTTY) return;
    const width = Math.max(20, (this.stderr.columns ?? 80) - 1);
    const shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.stderr.write(`\r\x1b[K${shown}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    this.stderr.write('\r\x1b[K');
    this.progressShown = false;
  }

  private async write(text: string): Promise<void> {
    if (!this.stdout.write(text)) await once(this.stdout as unknown as NodeJS.EventEmitter, 'drain');
  }
}

/** 1234567 → "1.2 MB". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** "3 objects", "1 object". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** An argument as a POSIX shell would need it, for commands Signet suggests. */
export function shellQuote(s: string): string {
  return /^[\w.@%+=:,/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
