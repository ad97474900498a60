import { Card, Group, Stack, Text, ThemeIcon } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A page state other than "here is your data" (no accounts, nothing synced, no links, no hits): what happened
 * and what to do, with the button that does it. Shared by the Library and Links pages so they look alike.
 */
export function EmptyState({
  icon,
  title,
  children,
  action,
  color,
}: {
  icon: ReactNode;
  title: string;
  children: ReactNode;
  action?: ReactNode;
  color?: string;
}) {
  return (
    <Card withBorder padding="xl">
      <Stack align="center" gap="xs">
        <ThemeIcon size={48} radius="xl" variant="light" color={color}>
          {icon}
        </ThemeIcon>
        <Text fw={600} ta="center">
          {title}
        </Text>
        <Text size="sm" c="dimmed" ta="center" maw={560}>
          {children}
        </Text>
        {action && <Group mt="xs">{action}</Group>}
      </Stack>
    </Card>
  );
}
