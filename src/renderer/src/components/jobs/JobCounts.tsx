import { Group, Text, Tooltip } from '@mantine/core';
import type { JobView } from '@shared/jobs/schemas';
import { formatCount } from '../../lib/library-format';

interface Count {
  label: string;
  value: number;
  color?: string;
  explanation: string;
}

/** The job's numbers in words; the rare ones (still public, retries, broken links) only when they happened. */
export function JobCounts({ job }: { job: JobView }) {
  const counts: Count[] = [
    { label: 'Done', value: job.done, explanation: 'Files changed and checked afterwards.' },
    {
      label: 'Failed',
      value: job.failed,
      color: job.failed > 0 ? 'red' : undefined,
      explanation: 'Files that could not be done. The details say why; “Retry failed” tries them again.',
    },
  ];
  if (job.cancelled > 0)
    counts.push({
      label: 'Left as they were',
      value: job.cancelled,
      explanation: 'Files not done because the job was cancelled.',
    });
  if (job.stillPublic > 0)
    counts.push({
      label: 'Still public',
      value: job.stillPublic,
      color: 'red',
      explanation:
        'Files a stranger could still read after the change (for example because of the bucket’s policy).',
    });
  if (job.retries > 0)
    counts.push({
      label: 'Retries',
      value: job.retries,
      explanation:
        'Requests tried again after the storage was busy or the connection dropped. Nothing to do.',
    });
  if (job.linksBroken > 0)
    counts.push({
      label: 'Links that stopped working',
      value: job.linksBroken,
      color: 'orange',
      explanation: 'Download links that pointed at a file this job moved. Issue new links for those orders.',
    });
  return (
    <Group gap="md" aria-label="Job counts" role="group">
      {counts.map((c) => (
        <Tooltip key={c.label} label={c.explanation} multiline w={260} withArrow openDelay={300}>
          <Text size="sm" c={c.color} style={{ cursor: 'help' }}>
            {c.label}: <b>{formatCount(c.value)}</b>
          </Text>
        </Tooltip>
      ))}
    </Group>
  );
}
