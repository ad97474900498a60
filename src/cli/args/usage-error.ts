/** Bad usage or bad input: exit status 2, one line on stderr, nothing changed. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
