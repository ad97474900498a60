import type { ActivityEntry, ActivityRepository } from '../repositories/activity-repository';
import type { Clock } from './clock';

/** Records what Signet did on the user's behalf, in words the user can read on the Activity page. */
export class ActivityService {
  constructor(
    private readonly repo: ActivityRepository,
    private readonly clock: Clock,
  ) {}

  record(kind: string, message: string): void {
    this.repo.append({ at: this.clock.now().toISOString(), kind, message });
  }

  recent(limit: number): ActivityEntry[] {
    return this.repo.list(limit);
  }
}
