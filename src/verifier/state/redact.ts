/**
 * A Redis URL without its credentials, for start-up messages, errors and logs: the password, the user
 * name (an ACL user name tells an attacker half of a login) and a `password` query option (ioredis
 * reads `?password=…`, and other clients `?username=`) are replaced with `***`.
 */
const SECRET_QUERY_OPTIONS = new Set(['password', 'username', 'pass', 'user', 'auth']);

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username) u.username = '***';
    if (u.password) u.password = '***';
    for (const name of [...u.searchParams.keys()]) {
      if (SECRET_QUERY_OPTIONS.has(name.toLowerCase())) u.searchParams.set(name, '***');
    }
    // searchParams.set re-encodes '*' as %2A; keep the mask readable.
    return u.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    return '(unparsable URL)';
  }
}
