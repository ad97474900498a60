import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';

/** Placeholder for pages whose issues have not landed yet; says plainly what will be here. */
export function ComingSoonPage({ title, text }: { title: string; text: string }) {
  return (
    <Stack maw={720}>
      <Group>
        <Title order={2}>{title}</Title>
        <Badge variant="light" color="gray">
          Coming soon
        </Badge>
      </Group>
      <Card withBorder padding="lg">
        <Text>{text}</Text>
      </Card>
    </Stack>
  );
}
