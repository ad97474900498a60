import { Anchor, Button, CloseButton, Group, Loader, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconClockPause, IconPlayerPause, IconX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { JobView } from '@shared/jobs/schemas';
import { dismissFinished, type LiveJob } from '../../lib/job-events';
import { isOpen, progressLine, stateInfo } from '../../lib/job-format';
import { plural } from '../../lib/library-format';
import { jobHref } from '../../lib/routes';
import { InFlightFiles } from './InFlightFiles';
import { JobControls } from './JobControls';
import { JobProgressBar } from './JobProgressBar';
import { JobStateBadge } from './JobStateBadge';

/** Jobs the dock shows at once; more are counted, with a link to Activity, so it never fills the window. */
export const DOCK_JOBS = 3;

/**
 * The bar at the bottom of every page while jobs run (and after one ended, until its summary is closed): the
 * owner keeps working in the window and still sees how far each job got, the files in flight, and the buttons
 * to pause, resume or cancel.
 */
export function JobDock({
  jobs,
  hidden,
  live,
}: {
  jobs: readonly JobView[];
  /** Jobs to show beyond DOCK_JOBS (counted only). */
  hidden: number;
  live: ReadonlyMap<number, LiveJob>;
}) {
  return (
    <Stack gap="xs" p="sm" role="region" aria-label="Jobs in progress">
      {jobs.map((job) => (
        <DockItem key={job.id} job={job} live={live.get(job.id)} />
      ))}
      {hidden > 0 && (
        <Anchor href="#/activity" size="sm">
          {plural(hidden, 'more job')} — see Activity
        </Anchor>
      )}
    </Stack>
  );
}

const SUMMARY_COLOR: Partial<Record<JobView['state'], string>> = {
  queued: 'dimmed',
  paused: 'dimmed',
  done: 'teal',
  failed: 'red',
};

function stateIcon(job: JobView): ReactNode {
  const color = stateInfo(job).color;
  const icon =
    job.state === 'running' ? (
      <Loader size={16} color="blue" />
    ) : job.state === 'paused' ? (
      <IconPlayerPause size={16} />
    ) : job.state === 'queued' ? (
      <IconClockPause size={16} />
    ) : job.state === 'done' ? (
      <IconCheck size={16} />
    ) : job.state === 'failed' ? (
      <IconAlertTriangle size={16} />
    ) : (
      <IconX size={16} />
    );
  return job.state === 'running' ? (
    icon
  ) : (
    <ThemeIcon size="md" radius="xl" variant="light" color={color}>
      {icon}
    </ThemeIcon>
  );
}

function DockItem({ job, live }: { job: JobView; live: LiveJob | undefined }) {
  const active = job.state === 'running' ? (live?.active ?? []) : [];
  const open = isOpen(job);
  return (
    <Group gap="sm" wrap="nowrap" align="flex-start" role="group" aria-label={job.title}>
      <div style={{ flex: 'none', width: 28, display: 'flex', justifyContent: 'center', paddingTop: 2 }}>
        {stateIcon(job)}
      </div>
      <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
            <Text size="sm" fw={600} truncate>
              {job.title}
            </Text>
            <JobStateBadge job={job} size="sm" />
            <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
              {progressLine(job, active)}
            </Text>
          </Group>
          <Group gap={6} wrap="nowrap" style={{ flex: 'none' }}>
            <JobControls job={job} />
            <Button component="a" href={jobHref(job.id)} size="compact-sm" variant="subtle">
              Details
            </Button>
            {!open && (
              <CloseButton
                size="sm"
                aria-label={`Close the summary of ${job.title}`}
                onClick={() => dismissFinished(job.id)}
              />
            )}
          </Group>
        </Group>
        {open ? <JobProgressBar job={job} active={active} size="sm" /> : null}
        {/* While it runs the line above says it all; otherwise the summary says what happened and what to do. */}
        {job.state !== 'running' && (
          <Text size="xs" c={SUMMARY_COLOR[job.state]} role={open ? undefined : 'status'}>
            {job.summary}
          </Text>
        )}
        <InFlightFiles files={active} />
      </Stack>
    </Group>
  );
}
