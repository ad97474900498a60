import { Card, Group, NumberInput, SegmentedControl, Stack, Switch, Text, Title } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import {
  SHARE_NETWORKS_DEFAULT,
  SHARE_NETWORKS_MAX,
  type Settings,
  type ShareAction,
} from '@shared/settings';

/** What the form checks before main checks again (the schema's limits, in the owner's words). */
export function shareNetworksProblem(value: number): string | null {
  return Number.isInteger(value) && value >= 0 && value <= SHARE_NETWORKS_MAX
    ? null
    : `A whole number of places from 1 to ${SHARE_NETWORKS_MAX}`;
}

/**
 * Settings → Share guard: "Flag or block a link used from more than N places". A place is a network (the
 * verifier cuts each address to its /24 or /48 and keeps only a keyed hash of it). Part of the settings form;
 * the exported verifier config carries it.
 */
export function ShareGuardCard({ form }: { form: UseFormReturnType<Settings> }) {
  const on = form.values.shareNetworks > 0;
  const block = form.values.shareAction === 'block';
  return (
    <Card withBorder padding="lg">
      <Stack>
        <div>
          <Title order={4}>Share guard</Title>
          <Text size="sm" c="dimmed">
            A link bought by one customer and posted on a forum is used from many places. Your verifier can
            notice: it counts the different places (networks) each link is used from, without keeping anyone’s
            address.
          </Text>
        </div>
        <Switch
          label="Watch for shared links"
          checked={on}
          onChange={(e) =>
            form.setFieldValue('shareNetworks', e.currentTarget.checked ? SHARE_NETWORKS_DEFAULT : 0)
          }
        />
        {on && (
          <>
            <Group gap="xs" align="center" wrap="wrap">
              <SegmentedControl
                aria-label="What to do with a shared link"
                data={[
                  { value: 'flag', label: 'Flag' },
                  { value: 'block', label: 'Block' },
                ]}
                value={form.values.shareAction}
                onChange={(v) => form.setFieldValue('shareAction', v as ShareAction)}
              />
              <Text size="sm">a link used from more than</Text>
              <NumberInput
                aria-label="Places"
                w={84}
                min={1}
                max={SHARE_NETWORKS_MAX}
                allowDecimal={false}
                allowNegative={false}
                {...form.getInputProps('shareNetworks')}
              />
              <Text size="sm">places</Text>
            </Group>
            <Text size="sm" c="dimmed">
              {block
                ? 'Block: your verifier refuses the link in any further place (the customer’s own places keep working), and Signet marks it Shared and tells you.'
                : 'Flag: the link keeps working everywhere; Signet marks it Shared in Links and tells you, so you can revoke it or reissue a new one.'}{' '}
              A customer at home, at work and on the phone uses about three places.
            </Text>
          </>
        )}
        <Text size="xs" c="dimmed">
          Export the verifier config again after changing this (“Download link keys” below), and install it on
          your server.
        </Text>
      </Stack>
    </Card>
  );
}
