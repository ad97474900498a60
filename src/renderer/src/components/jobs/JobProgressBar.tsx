import { Progress } from '@mantine/core';
import type { JobView } from '@shared/jobs/schemas';
import { jobPercent, stateInfo, type ActiveFile } from '../../lib/job-format';

/** The job's bar: by bytes for uploads, by files otherwise; moving stripes while it runs. */
export function JobProgressBar({
  job,
  active = [],
  size = 'sm',
}: {
  job: JobView;
  active?: readonly ActiveFile[];
  size?: 'xs' | 'sm' | 'md';
}) {
  const running = job.state === 'running';
  const value = Math.min(100, jobPercent(job, active));
  return (
    <Progress
      size={size}
      value={value}
      color={running ? 'blue' : stateInfo(job).color}
      striped={running}
      animated={running}
      aria-label={`Progress of ${job.title}`}
      aria-valuetext={`${Math.round(value)}%`}
    />
  );
}
