import { Card, Stack } from '@mantine/core';
import { SigningKeys } from './SigningKeys';
import { VerifierSetup } from './VerifierSetup';

/**
 * Settings → Download link keys: the signing keys (kid, created, active / still verifying / retired), making
 * a new one, retiring an old one, the verifier admin token and the verifier config export.
 */
export function LinkKeysCard() {
  return (
    <Card withBorder padding="lg" component="section" aria-label="Download link keys">
      <Stack>
        <SigningKeys />
        <VerifierSetup />
      </Stack>
    </Card>
  );
}
