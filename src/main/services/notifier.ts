/**
 * Tells the shop owner something outside the window (the desktop app: a system notification, through
 * src/main/platform/desktop-notifier.ts). A port, so services say what happened and tests can observe it; the
 * command line has none (it prints instead).
 */
export interface Notice {
  title: string;
  body: string;
}

export interface Notifier {
  notify(notice: Notice): void;
}
