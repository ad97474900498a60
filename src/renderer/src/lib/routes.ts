import { useEffect, useState } from 'react';

export const ROUTES = ['library', 'links', 'accounts', 'activity', 'settings'] as const;
export type Route = (typeof ROUTES)[number];

function fromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '');
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'library';
}

/** The current page, kept in the URL hash so a reload stays on the same page. */
export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(() => fromHash(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(fromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [route, (next) => (window.location.hash = `#/${next}`)];
}
