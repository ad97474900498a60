import { Alert, Group, Loader, Modal, Text } from '@mantine/core';
import { IconLink } from '@tabler/icons-react';
import { useObjectDetails } from '../../lib/library-queries';
import { useSettings } from '../../lib/queries';
import type { LinkFile } from './link-file';
import { LinkGeneratorForm } from './LinkGeneratorForm';

export type { LinkFile } from './link-file';

/**
 * The link generator: which file, which kind of link, how long it works, who it is for; then the link with
 * Copy and a QR code. A modal over the page it was opened from.
 */
export function LinkGenerator({
  file,
  onClose,
  onDone = onClose,
}: {
  file: LinkFile | null;
  onClose: () => void;
  /** "Done" after a link was made (default: the same as closing). */
  onDone?: () => void;
}) {
  const settings = useSettings();
  return (
    <Modal
      opened={file !== null}
      onClose={onClose}
      size={720}
      title={
        <Group gap="xs">
          <IconLink size={20} />
          <Text fw={700} size="lg">
            Create a download link
          </Text>
        </Group>
      }
    >
      {file &&
        (settings.isPending ? (
          <Group gap="xs">
            <Loader size="sm" />
            <Text size="sm">Loading your link defaults…</Text>
          </Group>
        ) : settings.isError ? (
          <Alert color="red" title="Could not load your settings">
            {settings.error.message}
          </Alert>
        ) : (
          <LinkGeneratorForm
            key={file.id}
            file={file}
            settings={settings.data}
            onClose={onClose}
            onDone={onDone}
          />
        ))}
    </Modal>
  );
}

/** The generator for a catalog object known by id only (a ticked row): its details load first. */
export function LinkGeneratorForObject({
  object,
  onClose,
}: {
  object: { id: number; bucketId: number } | null;
  onClose: () => void;
}) {
  const details = useObjectDetails(object?.id ?? null);
  return (
    <LinkGenerator
      file={object && details.data ? { ...details.data, bucketId: object.bucketId } : null}
      onClose={onClose}
    />
  );
}
