import { AppShell, Group, NavLink, ScrollArea, Text, ThemeIcon, Title, UnstyledButton } from '@mantine/core';
import { LeakBadge } from './components/library/LeakBadge';
import { useDisclosure, useElementSize } from '@mantine/hooks';
import {
  IconActivity,
  IconCloud,
  IconInfoCircle,
  IconLink,
  IconPhoto,
  IconSettings,
  IconShieldLock,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { AboutModal } from './components/AboutModal';
import { ColorSchemeFromSettings } from './components/ColorSchemeFromSettings';
import { ErrorBoundary } from './components/ErrorBoundary';
import { DOCK_JOBS, JobDock } from './components/jobs/JobDock';
import { useJobEventBridge } from './lib/job-events';
import { isOpen } from './lib/job-format';
import { useJobs } from './lib/jobs-queries';
import { type Route, useRoute } from './lib/routes';
import { AccountsPage } from './pages/AccountsPage';
import { ActivityPage } from './pages/ActivityPage';
import { LibraryPage } from './pages/LibraryPage';
import { LinksPage } from './pages/LinksPage';
import { SettingsPage } from './pages/SettingsPage';

interface NavItem {
  route: Route;
  label: string;
  description: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
}

const NAV: NavItem[] = [
  { route: 'library', label: 'Library', description: 'Your product files', icon: IconPhoto },
  { route: 'links', label: 'Links', description: 'Download links you issued', icon: IconLink },
  { route: 'accounts', label: 'Accounts', description: 'Cloud storage connections', icon: IconCloud },
  { route: 'activity', label: 'Activity', description: 'What Signet did', icon: IconActivity },
  { route: 'settings', label: 'Settings', description: 'Defaults and preferences', icon: IconSettings },
];

export function App() {
  const [route, go] = useRoute();
  const [aboutOpen, about] = useDisclosure(false);
  useJobEventBridge();
  const dock = useDockJobs();
  // The footer is as tall as the dock's content, so pages end above it instead of under it.
  const { ref: dockRef, height: dockHeight } = useElementSize();

  return (
    <AppShell
      // "alt": the navigation runs the full height and the job dock sits beside it, under the page.
      layout="alt"
      navbar={{ width: 250, breakpoint: 0 }}
      footer={{ height: Math.ceil(dockHeight) + 1, collapsed: dock.shown.length === 0 }}
      padding="lg"
    >
      <ColorSchemeFromSettings />
      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <AppShell.Section>
          <Group gap="xs" px="xs" py="sm">
            <ThemeIcon size="lg" radius="md" variant="filled">
              <IconShieldLock size={20} />
            </ThemeIcon>
            <div>
              <Title order={4} lh={1.1}>
                Signet
              </Title>
              <Text size="xs" c="dimmed">
                Protected downloads
              </Text>
            </div>
          </Group>
        </AppShell.Section>
        <AppShell.Section grow component={ScrollArea} mt="sm">
          {NAV.map((item) => (
            <NavLink
              key={item.route}
              href={`#/${item.route}`}
              label={item.label}
              description={item.description}
              leftSection={<item.icon size={20} stroke={1.6} />}
              rightSection={item.route === 'library' ? <LeakBadge /> : undefined}
              active={route === item.route}
              onClick={(e) => {
                e.preventDefault();
                go(item.route);
              }}
              style={{ borderRadius: 'var(--mantine-radius-md)' }}
            />
          ))}
        </AppShell.Section>
        <AppShell.Section>
          <UnstyledButton onClick={about.open} px="xs" py="sm" w="100%">
            <Group gap="xs">
              <IconInfoCircle size={18} />
              <Text size="sm">About Signet</Text>
            </Group>
          </UnstyledButton>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        {/* A page that throws shows what happened with a Reload button; the navigation stays usable. */}
        <ErrorBoundary scope="page" key={route}>
          {route === 'settings' ? (
            <SettingsPage />
          ) : route === 'activity' ? (
            <ActivityPage />
          ) : route === 'accounts' ? (
            <AccountsPage />
          ) : route === 'library' ? (
            <LibraryPage />
          ) : (
            <LinksPage />
          )}
        </ErrorBoundary>
      </AppShell.Main>
      <AppShell.Footer>
        <div ref={dockRef} style={{ maxHeight: '45dvh', overflowY: 'auto' }}>
          {dock.shown.length > 0 && <JobDock jobs={dock.shown} hidden={dock.hidden} live={dock.live} />}
        </div>
      </AppShell.Footer>
      <AboutModal opened={aboutOpen} onClose={about.close} />
    </AppShell>
  );
}

/** Jobs still going (running, waiting, paused) and those that ended while the window was open, not put away. */
function useDockJobs() {
  const { jobs, live, finished } = useJobs();
  const all = jobs.filter((j) => isOpen(j) || finished.has(j.id));
  return { shown: all.slice(0, DOCK_JOBS), hidden: Math.max(0, all.length - DOCK_JOBS), live };
}
