// Counts the entries checked and reports them now and then, so a million lines cost few callbacks.

const REPORT_EVERY = 16_384;

export class EntryProgress {
  /** Entries checked and found good so far. */
  done = 0;

  constructor(
    private readonly total: number,
    private readonly report?: (done: number, total: number) => void,
  ) {}

  /** One more entry found good. */
  advance(): void {
    this.done += 1;
    if (this.done % REPORT_EVERY === 0) this.report?.(this.done, this.total);
  }

  /** The last report, whatever the count. */
  finish(): void {
    this.report?.(this.done, this.total);
  }
}
