import { useMantineColorScheme } from '@mantine/core';
import { useEffect } from 'react';
import { useSettings } from '../lib/queries';

/** Applies the theme chosen in Settings (auto follows the operating system). */
export function ColorSchemeFromSettings() {
  const { data } = useSettings();
  const { setColorScheme } = useMantineColorScheme();
  useEffect(() => {
    if (data) setColorScheme(data.theme);
  }, [data, setColorScheme]);
  return null;
}
