import { Chip, CloseButton, Group, Switch, TextInput, Tooltip } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { ACCESS_TYPES, type AccessType } from '@shared/library/schemas';
import { ACCESS_INFO } from './AccessBadge';

export interface FilterValues {
  search: string;
  access: AccessType[];
  leaksOnly: boolean;
}

/** Search, access-type chips and "Leaks only": what narrows the table, all in one row. */
export function LibraryFilters({
  values,
  onChange,
  folderName,
}: {
  values: FilterValues;
  onChange: (next: Partial<FilterValues>) => void;
  /** Where a search looks, said in the placeholder so nobody wonders why other folders are missing. */
  folderName: string;
}) {
  return (
    <Group gap="md" align="flex-end" wrap="wrap">
      <TextInput
        label="Search files"
        placeholder="Any part of a name or folder"
        // Where a search looks, for screen readers; the count beside the path says it to everyone.
        aria-description={`Looks in ${folderName} and every folder below it`}
        w={320}
        leftSection={<IconSearch size={16} />}
        value={values.search}
        onChange={(e) => onChange({ search: e.currentTarget.value })}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onChange({ search: '' });
        }}
        rightSection={
          values.search ? (
            <CloseButton size="sm" aria-label="Clear search" onClick={() => onChange({ search: '' })} />
          ) : null
        }
      />
      <div role="group" aria-label="Show access types">
        <Chip.Group
          multiple
          value={values.access}
          onChange={(access) => onChange({ access: access as AccessType[] })}
        >
          <Group gap={6} pb={6}>
            {ACCESS_TYPES.map((type) => (
              <Tooltip key={type} label={ACCESS_INFO[type].explanation} multiline w={280} openDelay={500}>
                <div>
                  <Chip value={type} size="xs" color={ACCESS_INFO[type].color} variant="light">
                    {ACCESS_INFO[type].label}
                  </Chip>
                </div>
              </Tooltip>
            ))}
          </Group>
        </Chip.Group>
      </div>
      <Switch
        pb={8}
        color="red"
        label="Leaks only"
        checked={values.leaksOnly}
        onChange={(e) => onChange({ leaksOnly: e.currentTarget.checked })}
      />
    </Group>
  );
}
