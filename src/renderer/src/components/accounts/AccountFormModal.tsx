import {
  Alert,
  Autocomplete,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Modal,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconKey, IconLock } from '@tabler/icons-react';
import { useEffect } from 'react';
import { PROVIDER_LIST, PROVIDERS, type ProviderId } from '@shared/accounts/providers';
import type { AccountView } from '@shared/accounts/schemas';
import { ApiError } from '../../lib/api';
import { useAddAccount, useUpdateAccount } from '../../lib/queries';
import {
  editAccountValues,
  fieldOf,
  newAccountValues,
  toCreateInput,
  toUpdateInput,
  typesNewKeys,
  validateAccountForm,
  withLocation,
  withProvider,
  type AccountFormValues,
} from '@shared/accounts/form-values';

/** Hints under the fields, so side-by-side inputs line up whatever the length of their hints. */
const BELOW = {
  inputWrapperOrder: ['label', 'input', 'description', 'error'] as (
    'label' | 'input' | 'description' | 'error'
  )[],
};

interface Props {
  opened: boolean;
  /** The account to edit; null adds a new one. */
  account: AccountView | null;
  onClose: () => void;
  /** Called with the saved account (the page then tests it). */
  onSaved: (account: AccountView, created: boolean) => void;
}

export function AccountFormModal({ opened, account, onClose, onSaved }: Props) {
  const add = useAddAccount();
  const update = useUpdateAccount();
  const saving = add.isPending || update.isPending;
  const editing = account !== null;
  const form = useForm<AccountFormValues>({
    initialValues: newAccountValues(),
    validate: (values) => validateAccountForm(values, account?.id ?? null),
    validateInputOnBlur: true,
  });

  // Each opening starts from the account being edited, or from a blank Amazon S3 account.
  useEffect(() => {
    if (!opened) return;
    const start = account ? editAccountValues(account) : newAccountValues();
    form.setInitialValues(start);
    form.setValues(start);
    form.clearErrors();
    add.reset();
    update.reset();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [opened, account]);

  const v = form.values;
  const preset = PROVIDERS[v.provider];
  const mutation = editing ? update : add;
  const failure =
    mutation.error instanceof ApiError && mutation.error.issues.length > 0 ? null : mutation.error;
  const bucketSuggestions = [...new Set([...(account?.lastTest?.listing.names ?? []), ...v.buckets])];

  const save = form.onSubmit((values) => {
    const onError = (err: Error) => {
      if (err instanceof ApiError && err.issues.length > 0) {
        form.setErrors(Object.fromEntries(err.issues.map((i) => [fieldOf(i.path), i.message])));
      }
    };
    if (account) {
      update.mutate(toUpdateInput(account.id, values), {
        onSuccess: (saved) => onSaved(saved, false),
        onError,
      });
    } else {
      add.mutate(toCreateInput(values), { onSuccess: (saved) => onSaved(saved, true), onError });
    }
  });

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={editing ? `Edit “${account.name}”` : 'Add a storage account'}
      size="xl"
      closeOnClickOutside={!saving}
    >
      <form onSubmit={save} aria-label={editing ? 'Edit storage account' : 'Add storage account'} noValidate>
        <Stack gap="md">
          <SimpleGrid cols={2}>
            <Select
              {...BELOW}
              label="Provider"
              data={PROVIDER_LIST.map((p) => ({ value: p.id, label: p.label }))}
              value={v.provider}
              allowDeselect={false}
              onChange={(next) => next && form.setValues(withProvider(form.getValues(), next as ProviderId))}
            />
            <TextInput
              {...BELOW}
              label="Name"
              placeholder="e.g. Product files"
              description="How this account is called in Signet"
              withAsterisk
              {...form.getInputProps('name')}
            />
          </SimpleGrid>

          <Fieldset legend="Where the storage is">
            <Stack gap="sm">
              {preset.needsAccountId && (
                <TextInput
                  {...BELOW}
                  label="Cloudflare account ID"
                  description="32 letters and digits, shown on the R2 overview page of the Cloudflare dashboard"
                  withAsterisk
                  value={v.accountId}
                  error={form.errors['accountId']}
                  onChange={(e) =>
                    form.setValues(
                      withLocation(form.getValues(), form.getValues().region, e.currentTarget.value),
                    )
                  }
                />
              )}
              <SimpleGrid cols={2}>
                <Autocomplete
                  {...BELOW}
                  label="Region"
                  description={preset.regionHint}
                  data={[...preset.regions]}
                  withAsterisk
                  value={v.region}
                  error={form.errors['region']}
                  onChange={(region) =>
                    form.setValues(withLocation(form.getValues(), region, form.getValues().accountId))
                  }
                />
                <TextInput
                  {...BELOW}
                  label="Endpoint"
                  description={
                    v.provider === 'aws'
                      ? 'Leave empty for the standard endpoint of the region'
                      : 'The S3 API address, without a bucket name'
                  }
                  placeholder={
                    v.provider === 'aws'
                      ? `https://s3.${v.region || 'us-east-1'}.amazonaws.com`
                      : 'https://s3.example.com'
                  }
                  withAsterisk={v.provider !== 'aws'}
                  {...form.getInputProps('endpoint')}
                />
              </SimpleGrid>
              <Switch
                label="Path-style addresses (bucket name in the path)"
                description="Needed by most self-hosted servers such as MinIO and Ceph; cloud providers use the bucket name in the host."
                {...form.getInputProps('forcePathStyle', { type: 'checkbox' })}
              />
            </Stack>
          </Fieldset>

          <Fieldset
            legend={
              <Group gap={6}>
                <IconKey size={16} />
                <span>Keys — kept in your system keychain, never in files</span>
              </Group>
            }
          >
            <Stack gap="sm">
              <Text size="xs" c="dimmed">
                {preset.keysHint}
              </Text>
              <SimpleGrid cols={2}>
                <TextInput
                  {...BELOW}
                  label="Access key ID"
                  autoComplete="off"
                  spellCheck={false}
                  withAsterisk={!editing}
                  placeholder={
                    editing && account.credentials.hasCredentials
                      ? 'Stored in keychain — leave empty to keep'
                      : ''
                  }
                  {...form.getInputProps('accessKeyId')}
                />
                <PasswordInput
                  {...BELOW}
                  label="Secret access key"
                  autoComplete="new-password"
                  withAsterisk={!editing}
                  placeholder={
                    editing && account.credentials.hasCredentials
                      ? 'Stored in keychain — leave empty to keep'
                      : ''
                  }
                  {...form.getInputProps('secretAccessKey')}
                />
              </SimpleGrid>
              {editing && account.credentials.hasCredentials && (
                <Text size="xs" c="dimmed">
                  The stored keys are never shown. Leave both fields empty to keep them, or enter a new pair
                  {account.credentials.temporary ? ' (it replaces the stored session token too)' : ''}.
                </Text>
              )}
              <Switch
                label="Temporary credentials (with a session token)"
                description="Links signed with temporary credentials stop working when the session ends; prefer a permanent key."
                {...form.getInputProps('useSessionToken', { type: 'checkbox' })}
              />
              {v.useSessionToken && (
                <PasswordInput
                  {...BELOW}
                  label="Session token"
                  autoComplete="off"
                  placeholder={
                    editing && account.credentials.temporary && !typesNewKeys(v)
                      ? 'Stored in keychain — leave empty to keep'
                      : ''
                  }
                  {...form.getInputProps('sessionToken')}
                />
              )}
              {editing && account.credentials.temporary && (
                <Checkbox
                  label="Remove the stored session token (the key is now a permanent one)"
                  {...form.getInputProps('removeSessionToken', { type: 'checkbox' })}
                />
              )}
            </Stack>
          </Fieldset>

          <Fieldset legend="Buckets">
            <Stack gap="sm">
              <TagsInput
                {...BELOW}
                label="Buckets Signet uses"
                description="Type a name and press Enter. Leave empty to use every bucket the key can see."
                placeholder={v.buckets.length ? '' : 'e.g. shop-downloads'}
                data={bucketSuggestions}
                splitChars={[',', ' ']}
                acceptValueOnBlur
                clearable
                {...form.getInputProps('buckets')}
              />
              <Autocomplete
                {...BELOW}
                label="Private bucket"
                leftSection={<IconLock size={16} />}
                description={
                  preset.aclSupport === 'none'
                    ? `${preset.label} has no per-file access settings: protected files are stored in this bucket. Keep it private.`
                    : 'Only needed where per-file access settings do not work (the connection test tells): protected files are stored here.'
                }
                placeholder="None"
                data={bucketSuggestions}
                value={v.privateBucket ?? ''}
                error={form.errors['privateBucket']}
                onChange={(value) => form.setFieldValue('privateBucket', value.trim() ? value : null)}
              />
            </Stack>
          </Fieldset>

          {failure && (
            <Alert color="red" title={editing ? 'The changes were not saved' : 'The account was not added'}>
              {failure.message}
            </Alert>
          )}
          {form.errors['form'] && <Alert color="red">{form.errors['form']}</Alert>}

          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={saving}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {editing ? 'Save changes' : 'Add account'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
