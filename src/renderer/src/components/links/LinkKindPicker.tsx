import { Anchor, Group, Radio, SimpleGrid, Text } from '@mantine/core';
import { IconSettings } from '@tabler/icons-react';
import { LINK_KIND_TRADEOFF, type LinkKind } from '@shared/links/schemas';

export const KIND_LABELS: Record<LinkKind, string> = {
  verifier: 'Verifier link',
  direct: 'Direct storage link',
};

/**
 * Verifier link or direct storage link, each with its trade-off. Without a verifier address only direct links
 * can be made: the verifier card is disabled and a hint leads to Settings (closing the generator first).
 */
export function LinkKindPicker({
  kind,
  hasVerifier,
  onChange,
  onLeave,
}: {
  kind: LinkKind;
  hasVerifier: boolean;
  onChange: (next: LinkKind) => void;
  /** Closes the generator before the hint opens Settings. */
  onLeave: () => void;
}) {
  return (
    <>
      <Radio.Group
        label="Kind of link"
        value={kind}
        onChange={(v) => onChange(v as LinkKind)}
        aria-label="Kind of link"
      >
        <SimpleGrid cols={2} spacing="sm" mt={6}>
          {(['verifier', 'direct'] as const).map((k) => (
            <Radio.Card
              key={k}
              value={k}
              radius="md"
              p="sm"
              disabled={k === 'verifier' && !hasVerifier}
              aria-label={KIND_LABELS[k]}
              style={k === 'verifier' && !hasVerifier ? { opacity: 0.75, cursor: 'not-allowed' } : undefined}
            >
              <Group wrap="nowrap" align="flex-start" gap="sm">
                <Radio.Indicator mt={2} disabled={k === 'verifier' && !hasVerifier} />
                <div>
                  <Text fw={600} size="sm">
                    {KIND_LABELS[k]}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {LINK_KIND_TRADEOFF[k]}
                  </Text>
                </div>
              </Group>
            </Radio.Card>
          ))}
        </SimpleGrid>
      </Radio.Group>
      {!hasVerifier && (
        <Text size="sm" c="dimmed" mt={-8}>
          Verifier links need your verifier’s address.{' '}
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              onLeave();
              window.location.hash = '#/settings';
            }}
          >
            <Group gap={4} component="span">
              <IconSettings size={14} />
              Set your verifier address in Settings
            </Group>
          </Anchor>
        </Text>
      )}
    </>
  );
}
