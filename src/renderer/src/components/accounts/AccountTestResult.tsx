import {
  Alert,
  Anchor,
  Badge,
  Card,
  Code,
  Collapse,
  Group,
  List,
  Stack,
  Text,
  ThemeIcon,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconBucket,
  IconCircleCheck,
  IconCircleX,
  IconClock,
  IconInfoCircle,
  IconLock,
} from '@tabler/icons-react';
import { useState } from 'react';
import type { BucketReport, Problem, TestResult } from '@shared/accounts/schemas';
import { ExposureBadge, PrivacyModelBadge } from './badges';

const STATUS = {
  ok: { color: 'teal', icon: IconCircleCheck },
  warning: { color: 'yellow', icon: IconAlertTriangle },
  failed: { color: 'red', icon: IconCircleX },
} as const;

/** The result of a connection test: the verdict, what went wrong and what to do, the clock, and each bucket. */
export function AccountTestResult({ result }: { result: TestResult }) {
  const { color, icon: Icon } = STATUS[result.status];
  return (
    <Stack gap="sm" aria-label="Connection test result">
      <Alert color={color} icon={<Icon size={20} />} title={result.headline}>
        {result.problem ? (
          <ProblemText problem={result.problem} />
        ) : (
          <Text size="sm">
            {result.listing.allowed
              ? `The key signed in and sees ${result.listing.names.length} bucket${result.listing.names.length === 1 ? '' : 's'}.`
              : 'The key signed in.'}{' '}
            <ClockText result={result} />
          </Text>
        )}
      </Alert>
      {result.notes.map((note) => (
        <Alert
          key={note.text}
          color={note.level === 'warning' ? 'yellow' : 'blue'}
          variant="light"
          icon={note.level === 'warning' ? <IconAlertTriangle size={18} /> : <IconInfoCircle size={18} />}
          py="xs"
        >
          <Text size="sm">{note.text}</Text>
        </Alert>
      ))}
      {result.buckets.map((bucket) => (
        <BucketCard key={bucket.name} bucket={bucket} />
      ))}
    </Stack>
  );
}

export function ProblemText({ problem }: { problem: Problem }) {
  return (
    <Stack gap={4}>
      <Text size="sm">
        <b>What to do:</b> {problem.advice}
      </Text>
      {(problem.code || problem.httpStatus) && (
        <Text size="xs" c="dimmed">
          The storage answered <Code>{problem.code ?? 'no code'}</Code>
          {problem.httpStatus ? ` (HTTP ${problem.httpStatus})` : ''}
          {problem.providerMessage ? `: “${problem.providerMessage}”` : ''}
        </Text>
      )}
    </Stack>
  );
}

function ClockText({ result }: { result: TestResult }) {
  if (!result.clock) return null;
  const seconds = Math.abs(result.clock.offsetMs) / 1000;
  return result.clock.skewed ? (
    <>Clock: {seconds.toFixed(0)} s off the server’s (corrected when signing).</>
  ) : (
    <>
      <IconClock size={13} style={{ verticalAlign: -2 }} /> Clock in step with the server (
      {seconds.toFixed(1)} s).
    </>
  );
}

function BucketCard({ bucket }: { bucket: BucketReport }) {
  const [showEvidence, setShowEvidence] = useState(false);
  const live = bucket.exposure.findings.filter((f) => f.effect !== 'none' && !f.neutralized);
  const info = bucket.exposure.findings.filter((f) => f.effect === 'none' || f.neutralized);
  return (
    <Card withBorder padding="md" aria-label={`Bucket ${bucket.name}`}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Group gap="xs" wrap="nowrap">
          <ThemeIcon variant="light" color={bucket.reachable ? 'teal' : 'red'} size="md">
            {bucket.reachable ? <IconBucket size={16} /> : <IconCircleX size={16} />}
          </ThemeIcon>
          <div>
            <Text fw={600} ff="monospace" size="sm">
              {bucket.name}
            </Text>
            <Text size="xs" c="dimmed">
              {bucket.reachable ? 'Reachable' : (bucket.problem?.title ?? 'Not reachable')}
            </Text>
          </div>
        </Group>
        {bucket.reachable && (
          <Group gap={6} justify="flex-end">
            {bucket.isPrivateBucket && (
              <Badge color="dark" variant="outline" leftSection={<IconLock size={12} />}>
                Private bucket
              </Badge>
            )}
            <PrivacyModelBadge privacy={bucket.privacy} />
            <ExposureBadge level={bucket.exposure.level} />
          </Group>
        )}
      </Group>

      {!bucket.reachable && bucket.problem && (
        <Stack mt="xs" gap={0}>
          <ProblemText problem={bucket.problem} />
        </Stack>
      )}

      {live.length > 0 && (
        <Alert color="red" variant="light" mt="sm" py="xs" icon={<IconAlertTriangle size={18} />}>
          <List size="sm" spacing={2}>
            {live.map((f) => (
              <List.Item key={f.text}>{f.text}</List.Item>
            ))}
          </List>
        </Alert>
      )}

      {bucket.reachable && (bucket.advice.length > 0 || info.length > 0) && (
        <List size="sm" mt="sm" spacing={4} c="dimmed">
          {bucket.advice.map((a) => (
            <List.Item key={a}>{a}</List.Item>
          ))}
          {info.map((f) => (
            <List.Item key={f.text}>
              {f.text}
              {f.neutralized ? ' (no effect: Block Public Access cancels it)' : ''}
            </List.Item>
          ))}
        </List>
      )}

      {bucket.privacy.evidence.length > 0 && (
        <>
          <Anchor
            component="button"
            type="button"
            size="xs"
            mt="xs"
            style={{ alignSelf: 'flex-start' }}
            onClick={() => setShowEvidence((s) => !s)}
          >
            {showEvidence ? 'Hide' : 'How Signet knows'}
          </Anchor>
          <Collapse expanded={showEvidence}>
            <Stack gap={2} mt={4}>
              {bucket.privacy.evidence.map((line) => (
                <Text key={line} size="xs" c="dimmed" ff="monospace">
                  {line}
                </Text>
              ))}
            </Stack>
          </Collapse>
        </>
      )}
    </Card>
  );
}
