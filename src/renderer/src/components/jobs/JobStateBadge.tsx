import { Badge, type BadgeProps, Tooltip } from '@mantine/core';
import type { JobView } from '@shared/jobs/schemas';
import { stateInfo } from '../../lib/job-format';

/** A job's state in a word, with what it means on hover ("Interrupted" is a queued job whose runner died). */
export function JobStateBadge({ job, ...props }: { job: JobView } & BadgeProps) {
  const info = stateInfo(job);
  return (
    <Tooltip label={info.explanation} multiline w={280} withArrow openDelay={300}>
      <Badge color={info.color} variant="light" style={{ cursor: 'help', flex: 'none' }} {...props}>
        {info.label}
      </Badge>
    </Tooltip>
  );
}
