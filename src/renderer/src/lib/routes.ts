import { useEffect, useState } from 'react';

export const ROUTES = ['library', 'links', 'accounts', 'activity', 'settings'] as const;
export type Route = (typeof ROUTES)[number];

/** `#/activity/job/12` → page 'activity', detail 'job/12'; anything unknown is the library. */
function parse(hash: string): { route: Route; detail: string } {
  const [name = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  return (ROUTES as readonly string[]).includes(name)
    ? { route: name as Route, detail: rest.join('/') }
    : { route: 'library', detail: '' };
}

function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onHash = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return hash;
}

/** The current page, kept in the URL hash so a reload stays on the same page. */
export function useRoute(): [Route, (route: Route) => void] {
  const { route } = parse(useHash());
  return [route, (next) => (window.location.hash = `#/${next}`)];
}

/** What the page shows inside itself (e.g. 'job/12' on Activity), so a link can point at one job. */
export function useRouteDetail(): string {
  return parse(useHash()).detail;
}

/** The address of one job's details on the Activity page. */
export const jobHref = (id: number) => `#/activity/job/${id}`;
