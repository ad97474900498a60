import {
  Alert,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import type { ExpiryPreset, LinkKind } from '@shared/links/schemas';
import {
  DURATION_UNITS,
  formatFromNow,
  formatLocal,
  formatUtc,
  toLocalInput,
  type DurationUnit,
  type ExpiryChoice,
} from './expiry';

/** Short labels for the preset buttons (the long ones are the schema's). */
const PRESET_SHORT: Record<ExpiryPreset, string> = {
  '15m': '15 min',
  '1h': '1 hour',
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
  '1y': '1 year',
};

/**
 * How long the link works: a preset (only those the kind allows), or a custom duration or end date. A direct
 * link cannot outlive the provider's 7-day limit, so the longer presets are for verifier links only.
 */
export function ExpiryControls({
  kind,
  presets,
  value,
  onChange,
  now,
}: {
  kind: LinkKind;
  presets: ExpiryPreset[];
  value: ExpiryChoice;
  onChange: (next: ExpiryChoice) => void;
  now: number;
}) {
  const segment = value.mode === 'preset' ? value.preset : 'custom';
  return (
    <Stack gap={6}>
      <Text size="sm" fw={500} id="expiry-label">
        Link works for
      </Text>
      <SegmentedControl
        aria-labelledby="expiry-label"
        fullWidth
        value={segment}
        onChange={(v) =>
          onChange(
            v === 'custom'
              ? value.mode === 'preset'
                ? { mode: 'duration', amount: kind === 'direct' ? 3 : 14, unit: 'days' }
                : value
              : { mode: 'preset', preset: v as ExpiryPreset },
          )
        }
        data={[
          ...presets.map((p) => ({ value: p, label: PRESET_SHORT[p] })),
          { value: 'custom', label: 'Custom…' },
        ]}
      />
      {kind === 'direct' && (
        <Text size="xs" c="dimmed">
          30 days and 1 year are for verifier links: storage providers end direct links after 7 days.
        </Text>
      )}
      {value.mode !== 'preset' && (
        <Group align="flex-end" gap="sm">
          <SegmentedControl
            size="xs"
            aria-label="Custom expiry"
            value={value.mode}
            onChange={(m) =>
              onChange(
                m === 'date'
                  ? { mode: 'date', local: toLocalInput(new Date(now + 3 * 86_400_000)) }
                  : { mode: 'duration', amount: 3, unit: 'days' },
              )
            }
            data={[
              { value: 'duration', label: 'For a time' },
              { value: 'date', label: 'Until a date' },
            ]}
            mb={4}
          />
          {value.mode === 'duration' ? (
            <>
              <NumberInput
                label="How long"
                w={120}
                min={1}
                allowDecimal={false}
                value={value.amount}
                onChange={(v) => onChange({ ...value, amount: typeof v === 'number' ? v : '' })}
              />
              <NativeSelect
                aria-label="Unit"
                w={120}
                value={value.unit}
                onChange={(e) => onChange({ ...value, unit: e.currentTarget.value as DurationUnit })}
                data={(Object.keys(DURATION_UNITS) as DurationUnit[]).map((u) => ({ value: u, label: u }))}
              />
            </>
          ) : (
            <TextInput
              type="datetime-local"
              label="Stops working at (your time)"
              w={260}
              value={value.local}
              min={toLocalInput(new Date(now))}
              onChange={(e) => onChange({ mode: 'date', local: e.currentTarget.value })}
            />
          )}
        </Group>
      )}
    </Stack>
  );
}

/** The moment the link stops working, before it is made: local time, UTC, and how far off. */
export function ExpirySummary({
  expiresAt,
  problem,
  now,
}: {
  expiresAt: Date | null;
  problem: string | null;
  now: number;
}) {
  if (problem) {
    return (
      <Alert color="red" variant="light" p="xs" role="alert" aria-label="Expiry">
        <Text size="sm">{problem}</Text>
      </Alert>
    );
  }
  if (!expiresAt) return null;
  return (
    <Paper
      withBorder
      p="xs"
      radius="md"
      bg="var(--mantine-color-default-hover)"
      role="status"
      aria-label="Expiry"
    >
      <Text size="sm">
        Stops working <b>{formatLocal(expiresAt)}</b> (your time, {formatFromNow(expiresAt, now)})
      </Text>
      <Text size="xs" c="dimmed">
        That is {formatUtc(expiresAt)}, the same moment for a customer anywhere.
      </Text>
    </Paper>
  );
}
