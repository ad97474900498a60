import { Button, Card, Code, Group, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** `page`: one page of the window failed (the navigation still works); `window`: the whole window did. */
  scope: 'page' | 'window';
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/**
 * What the window shows when drawing part of it throws, instead of a blank window: what happened in plain words,
 * that nothing stored was lost, and a Reload button. The error itself is under "Technical details", for a report.
 * A page-level boundary is keyed by the page, so choosing another page starts afresh.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('Signet: part of the window failed to draw', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const page = this.props.scope === 'page';
    const screen = (
      <Card withBorder padding="xl" maw={640} role="alert" aria-label="Something went wrong">
        <Stack gap="md">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon color="red" variant="light" size={40} radius="xl">
              <IconAlertTriangle size={22} />
            </ThemeIcon>
            <Title order={3}>
              {page ? 'This page could not be shown' : 'Signet’s window could not be shown'}
            </Title>
          </Group>
          <Text>
            Something in Signet went wrong while drawing {page ? 'this page' : 'the window'}. Your files,
            accounts, jobs and links are safe: they are kept by Signet itself, not by the window, and any job
            that was running goes on.
          </Text>
          <Text>
            Reload the window to start it afresh{page ? ', or choose another page on the left' : ''}. If it
            happens again, the technical details below help a report.
          </Text>
          <Group>
            <Button leftSection={<IconRefresh size={18} />} onClick={() => window.location.reload()}>
              Reload
            </Button>
          </Group>
          <details>
            <summary>
              <Text span size="sm" c="dimmed">
                Technical details
              </Text>
            </summary>
            <Code block mt="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {`${error.name}: ${error.message}`}
            </Code>
          </details>
        </Stack>
      </Card>
    );
    return page ? (
      screen
    ) : (
      <Stack align="center" justify="center" mih="100dvh" p="lg">
        {screen}
      </Stack>
    );
  }
}
