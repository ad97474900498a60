import type { JobKind, JobState } from '@shared/jobs/schemas';
import type { ItemCounts } from '../../repositories/job-repository';
import { files } from './job-sentences';

const n = (x: number) => x.toLocaleString('en-US');

const DONE_VERB: Record<JobKind, string> = {
  upload: 'uploaded',
  private: 'made private',
  public: 'made public',
};

/** One sentence for the Activity page and the command line: what happened and, when needed, what to do. */
export function jobSummary(
  kind: JobKind,
  state: JobState,
  c: ItemCounts,
  extra: { interrupted: boolean; stillPublic: number; linksBroken: number },
): string {
  const verb = DONE_VERB[kind];
  const failed = c.failed
    ? ` ${files(c.failed)} failed${extra.stillPublic ? ` (${n(extra.stillPublic)} still public)` : ''}: see the list and retry them.`
    : '';
  const links = extra.linksBroken
    ? ` ${n(extra.linksBroken)} download link${extra.linksBroken === 1 ? '' : 's'} pointed at the old place and no longer work${extra.linksBroken === 1 ? 's' : ''}: issue new ones.`
    : '';
  switch (state) {
    case 'queued':
      return extra.interrupted
        ? `Interrupted after ${n(c.done)} of ${files(c.total)}: it resumes where it stopped.`
        : `Waiting to start: ${files(c.total)}.`;
    case 'running':
      return `${n(c.done)} of ${files(c.total)} ${verb}…`;
    case 'paused':
      return `Paused after ${n(c.done)} of ${files(c.total)}. Resume it to go on.`;
    case 'cancelled':
      return `Cancelled: ${n(c.done)} of ${files(c.total)} ${verb}, ${n(c.cancelled)} left as they were.${failed}`;
    case 'done':
      return `${files(c.done)} ${verb} and checked.${links}`;
    case 'failed':
      return `${n(c.done)} of ${files(c.total)} ${verb} and checked.${failed}${links}`;
  }
}
