import type { SecretStore } from './secret-store';

/** For unit tests only: the app never constructs it (see the composition root). */
export class MemorySecretStore implements SecretStore {
  readonly backend = 'memory (tests only)';
  private readonly entries = new Map<string, string>();

  async get(account: string): Promise<string | null> {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, secret: string): Promise<void> {
    this.entries.set(account, secret);
  }
  async delete(account: string): Promise<boolean> {
    return this.entries.delete(account);
  }
  async list(): Promise<string[]> {
    return [...this.entries.keys()].sort();
  }
  async status(): Promise<{ available: true }> {
    return { available: true };
  }
}
