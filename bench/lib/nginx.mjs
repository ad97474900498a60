/**
 * The anchor: nginx with secure_link doing the check nginx users would deploy instead of a verifier
 * (an MD5 of expiry + path + secret, and an expiry), answering a 302 to a fixed pre-signed-looking URL.
 * Config, pid, logs and temp paths live in a temp dir; nginx runs in the foreground (daemon off) as
 * our child so the bench can stop it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, startProcess, waitForHttp } from './procs.mjs';

/** `nginx -v` writes its version to stderr. */
export function nginxVersion() {
  const r = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (r.error) throw new Error(`nginx not found (apt-get install nginx): ${r.error.message}`);
  return `${r.stderr}${r.stdout}`.trim().replace('nginx version: ', '');
}

/** md5 as secure_link_md5 "$secure_link_expires$uri SECRET" computes it, base64url without padding. */
export function secureLinkHash(expires, uri, secret) {
  return createHash('md5').update(`${expires}${uri} ${secret}`).digest('base64url');
}

export async function startNginx({ secret, location, workers = 2 }) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-nginx-'));
  // Workers run as nobody when nginx starts as root; let them reach their temp dirs.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = `
daemon off;
master_process on;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    location ~ ^/downloads/[a-z0-9][a-z0-9._-]*$ {
      secure_link $arg_md5,$arg_expires;
      secure_link_md5 "$secure_link_expires$uri ${secret}";
      if ($secure_link = "") { return 403; }
      if ($secure_link = "0") { return 410; }
      add_header Cache-Control no-store always;
      return 302 "${location}";
    }
    location / { return 404; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const proc = startProcess('nginx', [
    '-p',
    dir,
    '-c',
    join(dir, 'nginx.conf'),
    '-e',
    join(dir, 'error.log'),
  ]);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/`, proc);
  } catch (err) {
    await proc.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      // SIGQUIT: graceful shutdown of master and workers; SIGTERM would also do, quicker.
      await proc.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
