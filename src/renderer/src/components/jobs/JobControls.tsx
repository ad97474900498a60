import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlayerPause, IconPlayerPlay, IconRotateClockwise, IconX } from '@tabler/icons-react';
import type { JobView } from '@shared/jobs/schemas';
import { jobActions } from '../../lib/job-format';
import { useCancelJob, usePauseJob, useResumeJob } from '../../lib/jobs-queries';

/**
 * Pause, resume ("Retry failed" when items failed) and cancel, where the job's state allows them. A refusal
 * from main (e.g. another Signet runs the job) is said in a notification, in main's words.
 */
export function JobControls({ job }: { job: JobView }) {
  const actions = jobActions(job);
  const pause = usePauseJob();
  const resume = useResumeJob();
  const cancel = useCancelJob();
  const failed = (what: string) => (error: Error) =>
    notifications.show({ color: 'red', title: `Could not ${what} “${job.title}”`, message: error.message });
  const busy = pause.isPending || resume.isPending || cancel.isPending;
  return (
    <>
      {actions.pause && (
        <Button
          size="compact-sm"
          variant="default"
          leftSection={<IconPlayerPause size={14} />}
          loading={pause.isPending}
          disabled={busy}
          onClick={() => pause.mutate(job.id, { onError: failed('pause') })}
        >
          Pause
        </Button>
      )}
      {actions.resume && (
        <Button
          size="compact-sm"
          variant="light"
          leftSection={
            actions.resume === 'Retry failed' ? (
              <IconRotateClockwise size={14} />
            ) : (
              <IconPlayerPlay size={14} />
            )
          }
          loading={resume.isPending}
          disabled={busy}
          onClick={() => resume.mutate(job.id, { onError: failed('resume') })}
        >
          {actions.resume}
        </Button>
      )}
      {actions.cancel && (
        <Button
          size="compact-sm"
          variant="subtle"
          color="red"
          leftSection={<IconX size={14} />}
          loading={cancel.isPending}
          disabled={busy}
          onClick={() => cancel.mutate(job.id, { onError: failed('cancel') })}
        >
          Cancel
        </Button>
      )}
    </>
  );
}
