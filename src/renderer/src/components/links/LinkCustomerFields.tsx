import { Group, NumberInput, SimpleGrid, Switch, Text, TextInput, Textarea } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { defaultFilename, MAX_DOWNLOADS, type LinkKind } from '@shared/links/schemas';

/** The generator form's own fields (the kind and the expiry are kept apart: they change each other). */
export interface LinkFields {
  productSlug: string;
  orderId: string;
  email: string;
  note: string;
  limited: boolean;
  maxDownloads: number | string;
  filename: string;
}

/**
 * Who and what the link is for: product, order, customer email, download name, note, and (verifier links
 * only) how many downloads it allows. What goes into the link and what stays on this computer depends on the
 * kind, and each field says which.
 */
export function LinkCustomerFields({
  form,
  kind,
  fileKey,
}: {
  form: UseFormReturnType<LinkFields>;
  kind: LinkKind;
  /** The file's key: its last part is the download name when none is given. */
  fileKey: string;
}) {
  return (
    <>
      <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
        <TextInput
          label="Product slug"
          description={
            kind === 'verifier'
              ? 'Part of the link: …/downloads/' + (form.values.productSlug || 'slug')
              : 'Names the product in your ledger'
          }
          withAsterisk
          {...form.getInputProps('productSlug')}
        />
        <TextInput
          label="Order or licence id"
          description={kind === 'verifier' ? 'Goes into the link, to trace it' : 'Kept in your ledger'}
          placeholder="e.g. 1042"
          {...form.getInputProps('orderId')}
        />
        <TextInput
          label="Customer email"
          description="Kept only on this computer, never in the link"
          placeholder="name@example.com"
          {...form.getInputProps('email')}
        />
        <TextInput
          label="Download file name"
          description="The name the customer’s browser saves"
          placeholder={defaultFilename(fileKey)}
          {...form.getInputProps('filename')}
        />
      </SimpleGrid>
      <Textarea
        label="Note"
        description="Kept only on this computer, never in the link"
        placeholder="Anything you want to remember about this customer or order"
        autosize
        minRows={1}
        maxRows={4}
        {...form.getInputProps('note')}
      />

      {kind === 'verifier' ? (
        <Group align="flex-end" gap="md">
          <Switch
            label="Limit how many times it can be downloaded"
            {...form.getInputProps('limited', { type: 'checkbox' })}
            mb={8}
          />
          {form.values.limited && (
            <NumberInput
              label="Downloads"
              w={140}
              min={1}
              max={MAX_DOWNLOADS}
              allowDecimal={false}
              {...form.getInputProps('maxDownloads')}
            />
          )}
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          A direct storage link cannot count downloads: it works as often as anyone opens it until it expires.
        </Text>
      )}
    </>
  );
}
