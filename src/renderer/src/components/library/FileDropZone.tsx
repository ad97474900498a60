import { Stack, Text, ThemeIcon } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCloudUpload } from '@tabler/icons-react';
import { useRef, useState, type DragEvent, type ReactNode } from 'react';
import { dragHasFiles, droppedPaths } from '../../lib/dropped-files';

/**
 * Files dragged from the computer onto the library: the zone lights up with where they would go, and a drop
 * opens the same upload dialog as "Upload files". The paths come from the desktop app's preload; without it
 * (a plain browser) the owner is told that dropping needs the app.
 */
export function FileDropZone({
  where,
  onPaths,
  children,
}: {
  /** The folder as the owner reads it. */
  where: string;
  onPaths: (paths: string[]) => void;
  children: ReactNode;
}) {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child the pointer crosses: count them to know when it really left.
  const depth = useRef(0);

  const files = (e: DragEvent) => dragHasFiles([...e.dataTransfer.types]);
  const onDrop = (e: DragEvent) => {
    if (!files(e)) return;
    e.preventDefault();
    depth.current = 0;
    setOver(false);
    const bridge = window.signetFiles;
    const dropped = droppedPaths(e.dataTransfer.files, bridge ? (f) => bridge.pathsFor(f) : undefined);
    void dropped.then(
      (result) => {
        if (result.kind === 'paths') onPaths(result.paths);
        else if (result.kind === 'no-desktop')
          notifications.show({
            color: 'yellow',
            title: 'Dropping files needs the Signet desktop app',
            message:
              'This window cannot see where dropped files are on your computer. Use “Upload files” instead.',
          });
        else
          notifications.show({
            color: 'yellow',
            title: 'Nothing to upload',
            message:
              'Only files from your computer can be uploaded, not text or pictures dragged out of a web page.',
          });
      },
      (err: unknown) =>
        notifications.show({
          color: 'red',
          title: 'The dropped files were not taken',
          message: `${err instanceof Error ? err.message : String(err)} Use “Upload files” instead.`,
        }),
    );
  };

  return (
    <div
      data-testid="library-drop-zone"
      style={{ position: 'relative', flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}
      onDragEnter={(e) => {
        if (!files(e)) return;
        e.preventDefault();
        depth.current += 1;
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!files(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => {
        if (!files(e)) return;
        depth.current = Math.max(0, depth.current - 1);
        if (depth.current === 0) setOver(false);
      }}
      onDrop={onDrop}
    >
      {children}
      {over && (
        <Stack
          align="center"
          justify="center"
          gap="xs"
          aria-hidden
          style={{
            position: 'absolute',
            inset: 0,
            zIndex: 5,
            pointerEvents: 'none',
            borderRadius: 'var(--mantine-radius-md)',
            border: '2px dashed var(--mantine-primary-color-filled)',
            background: 'color-mix(in srgb, var(--mantine-color-body) 85%, transparent)',
          }}
        >
          <ThemeIcon size={48} radius="xl" variant="light">
            <IconCloudUpload size={26} />
          </ThemeIcon>
          <Text fw={600}>Drop to upload to {where}</Text>
          <Text size="sm" c="dimmed">
            You will see the files and choose how they are kept before anything is sent.
          </Text>
        </Stack>
      )}
    </div>
  );
}
