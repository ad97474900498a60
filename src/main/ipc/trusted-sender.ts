import type { SenderInfo } from './router';

/**
 * True when `target` is a page of the app's own origin: `app://signet` in the app (see
 * platform/app-protocol.ts), the dev server's origin in development, the loopback server in browser tests.
 * Scheme and host are compared (a custom scheme has no `URL.origin` in Node). `file://` is never trusted: every
 * local file shares that origin.
 */
export function isAppPage(target: string, appUrl: string): boolean {
  try {
    const t = new URL(target);
    const a = new URL(appUrl);
    if (a.protocol === 'file:' || a.host === '') return false;
    return t.protocol === a.protocol && t.host === a.host;
  } catch {
    return false;
  }
}

/** A sender is trusted only when it is the main frame of the app's own page. */
export function makeTrustedSenderCheck(appUrl: string): (sender: SenderInfo) => boolean {
  return (sender) => sender.isMainFrame && isAppPage(sender.url, appUrl);
}
