import { Alert, Loader, Stack, Text, Title } from '@mantine/core';
import { useJobs } from '../../lib/jobs-queries';
import { JobCard } from './JobCard';

/**
 * The Activity page's jobs: uploads and access changes, newest first, following their progress events live.
 * The activity log below says what each one did in a sentence; here is what can still be done about it.
 */
export function JobsSection({ onDetails }: { onDetails: (id: number) => void }) {
  const { jobs, live, list } = useJobs();
  return (
    <Stack gap="xs" component="section" aria-label="Jobs">
      <div>
        <Title order={3}>Jobs</Title>
        <Text size="sm" c="dimmed">
          Uploads and access changes. They go on while you use Signet, and pick up where they stopped if
          Signet is closed.
        </Text>
      </div>
      {list.isPending ? (
        <Loader size="sm" />
      ) : list.isError ? (
        <Alert color="red" title="Could not load the jobs">
          {list.error.message}
        </Alert>
      ) : jobs.length === 0 ? (
        <Text size="sm" c="dimmed">
          No jobs yet. Upload files, or make files private or public, from the Library.
        </Text>
      ) : (
        jobs.map((job) => (
          <JobCard key={job.id} job={job} live={live.get(job.id)} onDetails={() => onDetails(job.id)} />
        ))
      )}
    </Stack>
  );
}
