import { Alert, Button, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconLock } from '@tabler/icons-react';
import type { JobView } from '@shared/jobs/schemas';
import type { LinkFile } from './link-file';

/**
 * What the owner can do about a public file before linking it, following the access plan
 * (src/main/services/jobs/access-plan.ts): a file public by its own setting is made private where it is; a file
 * in a bucket open to everyone cannot be fixed on its own, only moved to the account's private bucket (main
 * refuses, with the reason, when the account has none).
 */
export function PublicFileWarning({
  file,
  busy,
  onMakePrivate,
}: {
  file: LinkFile;
  busy: boolean;
  onMakePrivate: () => void;
}) {
  const ownSetting = file.access === 'public';
  const bucket = file.bucket ? `“${file.bucket}”` : 'Its bucket';
  return (
    <Alert
      color="orange"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={ownSetting ? 'This file is public' : 'This file’s whole bucket is public'}
    >
      <Stack gap="xs" align="flex-start">
        <Text size="sm">
          {ownSetting
            ? 'Anyone with its plain address can download it without a link, so a link adds no protection. ' +
              'Make it private first, then create the link: this window shows when it is done.'
            : `${bucket} lets anyone download every file in it, so a link adds no protection, and this cannot be ` +
              'changed for one file. Either make the bucket private at your storage provider, or move this file ' +
              'to your account’s private bucket and create the link after the move. A moved file gets a new ' +
              'address: links already issued for it stop working.'}
        </Text>
        <Button
          size="xs"
          variant={ownSetting ? 'filled' : 'light'}
          leftSection={<IconLock size={16} />}
          loading={busy}
          onClick={onMakePrivate}
        >
          {ownSetting ? 'Make it private first' : 'Move it to the private bucket'}
        </Button>
      </Stack>
    </Alert>
  );
}

/** How the make-private started here goes: running, done (and where the file is now), failed, or file lost. */
export function AccessChangeNotice({
  job,
  changing,
  lost,
  moved,
  privateNow,
}: {
  job: JobView | null;
  changing: boolean;
  lost: boolean;
  /** The bucket the file was moved to ('' when its name is not known), null when it stayed where it was. */
  moved: string | null;
  privateNow: boolean;
}) {
  if (lost) {
    return (
      <Alert color="red" title="Signet cannot find this file any more" role="alert">
        It is no longer where it was, nor in the account’s private bucket. Sync the bucket in the Library,
        then open the file from where it is now to create its link.
      </Alert>
    );
  }
  if (!job) return null;
  if (changing) {
    const paused = job.state === 'paused';
    return (
      <Alert
        color="blue"
        variant="light"
        icon={paused ? <IconLock size={18} /> : <Loader size={16} />}
        title={paused ? 'Making this file private is paused' : 'Making this file private…'}
        role="status"
      >
        {paused
          ? 'Resume it in the jobs bar at the bottom of the window or on the Activity page; this window follows it, and the link can be created when it is done.'
          : 'Create the link when this is done: this window updates by itself.'}
      </Alert>
    );
  }
  if (job.state === 'done' && privateNow) {
    return (
      <Alert
        color="teal"
        variant="light"
        icon={<IconCircleCheck size={18} />}
        title="The file is private now"
        role="status"
      >
        {moved === null
          ? 'Only your links can download it. Create its link below.'
          : `It was moved to ${moved ? `“${moved}”` : 'the account’s private bucket'}; the link you create now points there.`}
      </Alert>
    );
  }
  return (
    <Alert color="red" variant="light" title="The file was not made private" role="status">
      {job.summary}
    </Alert>
  );
}
