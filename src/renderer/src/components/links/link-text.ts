import type { LinkView } from '@shared/links/schemas';

/** The file's name (the key's last part). */
export const fileName = (key: string) => key.split('/').filter(Boolean).pop() ?? key;

/** "book.pdf (order 1042, ann@example.com)": how dialogs and notices name a link. */
export function describeLink(link: Pick<LinkView, 'key' | 'orderId' | 'email'>): string {
  const who = [link.orderId ? `order ${link.orderId}` : null, link.email || null].filter(Boolean);
  return who.length > 0 ? `${fileName(link.key)} (${who.join(', ')})` : fileName(link.key);
}
