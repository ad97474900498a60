import { Notification } from 'electron';
import type { Notice, Notifier } from '../services/notifier';

/**
 * The Notifier port as a desktop notification (Electron's `Notification`): the system's own banner, also when
 * Signet's window is hidden or minimized. Where the system has no notifications (some Linux desktops without a
 * notification daemon) nothing is shown: the ledger still marks what happened. A click brings the window forward.
 */
export function makeDesktopNotifier(onClick: () => void): Notifier {
  return {
    notify({ title, body }: Notice) {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title, body });
      notification.on('click', onClick);
      notification.show();
    },
  };
}
