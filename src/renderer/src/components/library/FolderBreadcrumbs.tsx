import { Anchor, Breadcrumbs, Group, Text } from '@mantine/core';
import { IconBucket, IconFolder } from '@tabler/icons-react';

/** Where the table is in the bucket (bucket / a / b), each step a way back up. */
export function FolderBreadcrumbs({
  bucket,
  folder,
  onOpen,
}: {
  bucket: string;
  /** '' at the top, else ends with '/'. */
  folder: string;
  onOpen: (folder: string) => void;
}) {
  const parts = folder.split('/').filter(Boolean);
  const steps = [
    { name: bucket, path: '' },
    ...parts.map((name, i) => ({ name, path: parts.slice(0, i + 1).join('/') + '/' })),
  ];
  return (
    <nav aria-label="Folder path">
      <Breadcrumbs separator="/" separatorMargin={6}>
        {steps.map((step, i) => {
          const icon = i === 0 ? <IconBucket size={15} /> : <IconFolder size={15} />;
          const last = i === steps.length - 1;
          return last ? (
            <Group key={step.path} gap={4} wrap="nowrap" aria-current="location">
              {icon}
              <Text size="sm" fw={600}>
                {step.name}
              </Text>
            </Group>
          ) : (
            <Anchor
              key={step.path}
              component="button"
              type="button"
              size="sm"
              onClick={() => onOpen(step.path)}
              aria-label={i === 0 ? `Go to the top of ${bucket}` : `Go to folder ${step.name}`}
            >
              <Group gap={4} wrap="nowrap">
                {icon}
                {step.name}
              </Group>
            </Anchor>
          );
        })}
      </Breadcrumbs>
    </nav>
  );
}
