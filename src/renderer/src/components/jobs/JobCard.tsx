import { Button, Card, Group, Stack, Text } from '@mantine/core';
import type { JobView } from '@shared/jobs/schemas';
import type { LiveJob } from '../../lib/job-events';
import { isOpen, progressLine } from '../../lib/job-format';
import { formatAgo, formatDateTime } from '../../lib/library-format';
import { InFlightFiles } from './InFlightFiles';
import { JobControls } from './JobControls';
import { JobCounts } from './JobCounts';
import { JobProgressBar } from './JobProgressBar';
import { JobStateBadge } from './JobStateBadge';

/** One job on the Activity page: state, bar, counts, the summary sentence and what can be done now. */
export function JobCard({
  job,
  live,
  onDetails,
}: {
  job: JobView;
  live: LiveJob | undefined;
  onDetails: () => void;
}) {
  const active = job.state === 'running' ? (live?.active ?? []) : [];
  const when = job.endedAt ?? job.startedAt ?? job.createdAt;
  return (
    <Card withBorder padding="sm" role="article" aria-label={`Job ${job.id}: ${job.title}`}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <Text fw={600} truncate>
              {job.title}
            </Text>
            <JobStateBadge job={job} />
          </Group>
          <Text size="sm" c="dimmed" title={formatDateTime(when)} style={{ whiteSpace: 'nowrap' }}>
            {isOpen(job) ? 'started' : 'ended'} {formatAgo(when)}
          </Text>
        </Group>
        <JobProgressBar job={job} active={active} />
        <Group justify="space-between" gap="xs">
          <Text size="sm">{progressLine(job, active)}</Text>
          <JobCounts job={job} />
        </Group>
        <Text size="sm" c={job.failed > 0 || job.stillPublic > 0 ? 'red' : undefined}>
          {job.summary}
        </Text>
        <InFlightFiles files={active} />
        <Group gap="xs">
          <JobControls job={job} />
          <Button size="compact-sm" variant="subtle" onClick={onDetails}>
            Details
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
