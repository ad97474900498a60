import { useMutationState } from '@tanstack/react-query';
import type { AccessChange, JobView } from '@shared/jobs/schemas';
import { useJobEvents } from '../../lib/job-events';

/**
 * True for a started make-private of exactly this one file: its variables name the file, and it answered a job
 * (the preview before it has the same variables but answers a plan).
 */
function isMakePrivateOf(variables: unknown, data: unknown, fileId: number): boolean {
  const v = variables as AccessChange | undefined;
  return (
    typeof data === 'object' &&
    data !== null &&
    'state' in data &&
    v?.access === 'private' &&
    v.selection.kind === 'ids' &&
    v.selection.ids.length === 1 &&
    v.selection.ids[0] === fileId
  );
}

/**
 * The job a "Make it private first" pressed at `since` started, as live as its last progress event. useAccessChange
 * starts it itself or through its confirmation dialog and tells no job id, so it is read from the mutation cache:
 * the newest successful start of a make-private of this one file since the button was pressed.
 */
export function useMakePrivateJob(fileId: number, since: number | null): JobView | null {
  const started = useMutationState({
    filters: {
      status: 'success',
      predicate: (m) =>
        since !== null &&
        m.state.submittedAt >= since &&
        isMakePrivateOf(m.state.variables, m.state.data, fileId),
    },
    select: (m) => m.state.data as JobView,
  });
  const { live } = useJobEvents();
  const job = started.at(-1);
  return job ? (live.get(job.id)?.job ?? job) : null;
}
