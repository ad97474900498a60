/**
 * docs/verifier-deploy.md as an operator follows it, on this machine. The guide's marked command blocks
 * (`<!-- deploy-guide.test: NAME -->`) run in bash with their server paths moved under a temp folder
 * (/etc/signet-verifier, /var/lib/signet-verifier, /srv/signet-downloads), `sudo` and the service user's
 * ownership left out (no system user is made), `scp` as a copy, and the ports 8787/8788 as free ones; `signet`
 * is the command line built from source on a temp data folder, the test keyring and the Ceph rig.
 *
 * Checked: docs/deploy/ holds exactly the files the guide shows; the export, the install for the service user and
 * "run it by hand once" work as written, and so does the fix for the window's export; the verifier runs as the
 * unit's ExecStart says; `nginx -t` accepts the guide's nginx file (Debian 12's nginx 1.22), and a running nginx
 * with it (self-signed certificate) passes a link to the verifier and `/admin/` to its admin listener, the app
 * revoking through it; `caddy validate` accepts the Caddyfile and a running Caddy routes the same way;
 * `systemd-analyze verify` accepts the unit; the own-code additions (own key, fileRoot, allowedHosts) and
 * docs/deploy/issue-link.mjs give working file and URL links. Needs the Debian packages nginx, caddy, openssl and
 * systemd (for systemd-analyze).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeytarLike } from '../../src/main/services/keytar-secret-store';
import { loadConfigFile, parseConfig } from '../../src/verifier/config';
import {
  createTestBucket,
  emptyAndDeleteBucket,
  ensureCeph,
  s3ClientFor,
  type CephEnv,
} from '../support/ceph';
import { buildCli, cephAccountAddArgs, jsonLines, runCli, type CliRun } from '../support/cli-runner';
import { freePort } from '../support/redis';
import { requirePrivateTestKeyring } from '../support/test-keyring';
import { buildVerifierCli, REPO_ROOT } from '../support/verifier';

requirePrivateTestKeyring();

const DEPLOY = join(REPO_ROOT, 'docs', 'deploy');
const GUIDE = readFileSync(join(REPO_ROOT, 'docs', 'verifier-deploy.md'), 'utf8');
const deployFile = (name: string) => readFileSync(join(DEPLOY, name), 'utf8');

const keytar = createRequire(import.meta.url)('keytar') as KeytarLike;
const service = `signet-deploy-guide-test-${randomUUID()}`;
const tmp = mkdtempSync(join(tmpdir(), 'signet-deploy-guide-'));
const dataDir = join(tmp, 'data');
/** The shop owner's computer and the server's home folder (where `scp` puts the file). */
const desktop = join(tmp, 'desktop');
const serverHome = join(tmp, 'server-home');
/** The server's root: /etc/signet-verifier, /var/lib/signet-verifier and /srv/signet-downloads are under it. */
const root = join(tmp, 'root');
const ACCOUNT = 'My Shop';
const KEY = 'products/My Plugin.zip';
const BODY = randomBytes(40_000);

let cli: string;
let verifierCli: string;
let removeBuilds: (() => void)[] = [];
let ceph: CephEnv;
let s3: S3Client;
let bucket: string;
let port: number;
let adminPort: number;
const children: ChildProcess[] = [];

/** The code block after the guide's `<!-- deploy-guide.test: NAME -->` marker. */
function marked(name: string): string {
  const at = GUIDE.indexOf(`<!-- deploy-guide.test: ${name} -->`);
  expect(at, `the guide marks the block "${name}"`).toBeGreaterThanOrEqual(0);
  const block = /```[\w-]*\n([\s\S]*?)\n```/.exec(GUIDE.slice(at));
  expect(block, `a code block follows the marker "${name}"`).not.toBeNull();
  return block![1]!;
}

/** `text` with `from` replaced by `to`, which must occur exactly `times` times. */
function replaceExactly(text: string, from: string, to: string, times = 1): string {
  const parts = text.split(from);
  expect(parts.length - 1, `"${from}" occurs ${times} time(s)`).toBe(times);
  return parts.join(to);
}

/** A guide command block as it runs here: server paths under `at`, no sudo or service user, free ports. */
function onThisMachine(block: string, at = root): string {
  return block
    .split('\n')
    .filter((line) => !/^sudo useradd /.test(line))
    .map((line) =>
      line
        .replace(/^scp verifier\.json \S+$/, 'cp verifier.json "$SERVER_HOME"/')
        .replace(/^sudo systemctl restart signet-verifier$/, ': the test restarts the verifier itself')
        .replace(/^sudo -u signet-verifier /, '')
        .replace(/^sudo /, '')
        .replace(/ -o (root|signet-verifier) -g signet-verifier/g, '')
        .replace(
          /^signet verifier-config (?!.*--listen )(.*)$/,
          `signet verifier-config $1 --listen 127.0.0.1:${port}`,
        ),
    )
    .join('\n')
    .replaceAll('/etc/signet-verifier', `${at}/etc/signet-verifier`)
    .replaceAll('/var/lib/signet-verifier', `${at}/var/lib/signet-verifier`)
    .replaceAll('/srv/signet-downloads', `${at}/srv/signet-downloads`)
    .replaceAll('/usr/local/bin/node', process.execPath)
    .replaceAll('/opt/signet/out/verifier/cli.js', verifierCli)
    .replaceAll('127.0.0.1:8788', `127.0.0.1:${adminPort}`);
}

/** Runs a rewritten block in bash (`set -eu`), with `signet` the built command line on the test data folder. */
function runBlock(
  script: string,
  cwd: string,
  at = root,
): { code: number | null; stdout: string; stderr: string } {
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(at, 'etc'), { recursive: true });
  mkdirSync(join(at, 'var', 'lib'), { recursive: true });
  mkdirSync(join(at, 'srv'), { recursive: true });
  const prelude = 'set -eu\nsignet() { "$SIGNET_NODE" "$SIGNET_CLI" "$@" --data-dir "$SIGNET_TEST_DATA"; }\n';
  const r = spawnSync('bash', ['-c', prelude + script], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      PATH: `${join(process.execPath, '..')}:${process.env['PATH'] ?? ''}`,
      SIGNET_NODE: process.execPath,
      SIGNET_CLI: cli,
      SIGNET_TEST_DATA: dataDir,
      SIGNET_KEYCHAIN_SERVICE: service,
      SIGNET_DATA_DIR: '',
      SERVER_HOME: serverHome,
    },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function signet(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return runCli(cli, [...args, '--data-dir', dataDir], {
    ...opts,
    env: { SIGNET_KEYCHAIN_SERVICE: service, SIGNET_DATA_DIR: '', ...opts.env },
  });
}

async function ok<T = Record<string, unknown>>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const r = await signet([...args, '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** Starts a long-running command line (bash `exec`), resolving once `ready` shows in its output (null: at once). */
async function startProcess(
  commandLine: string,
  ready: RegExp | null,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn('bash', ['-c', `exec ${commandLine}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    if (ready === null) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`not ready within 30 s: ${commandLine}\n${output}`)),
      30_000,
    );
    const check = () => {
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before it was ready: ${commandLine}\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port. */
async function listening(p: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(p, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${p}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request to nginx over TLS, trusting the test's self-signed certificate for `localhost`. */
function viaTls(
  tlsPort: number,
  ca: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: tlsPort,
        path,
        method: opts.method ?? 'GET',
        servername: 'localhost',
        ca,
        agent: false,
        headers: { host: `localhost:${tlsPort}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

beforeAll(async () => {
  for (const d of [dataDir, desktop, serverHome, root]) mkdirSync(d, { recursive: true });
  const [builtCli, builtVerifier] = await Promise.all([buildCli('deploy-guide'), buildVerifierCli()]);
  cli = builtCli.cli;
  verifierCli = builtVerifier.cli;
  removeBuilds = [builtCli.remove, builtVerifier.cleanup];
  [port, adminPort] = [await freePort(), await freePort()];
  ceph = await ensureCeph();
  s3 = s3ClientFor(ceph);
  bucket = await createTestBucket(s3, 'deploy-guide');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: BODY }));
  const added = await signet(cephAccountAddArgs(ceph, ACCOUNT, bucket), { stdin: ceph.secretAccessKey });
  expect(added.code, added.stderr).toBe(0);
  expect((await signet(['sync', ACCOUNT])).code).toBe(0);
  expect((await signet(['keys', 'new'])).code).toBe(0);
}, 240_000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const c of await keytar.findCredentials(service).catch(() => []))
    await keytar.deletePassword(service, c.account);
  for (const c of await keytar.findCredentials(`${service}:names`).catch(() => []))
    await keytar.deletePassword(`${service}:names`, c.account);
  if (bucket) await emptyAndDeleteBucket(s3, bucket);
  s3?.destroy();
  for (const remove of removeBuilds) remove();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the deploy guide', { timeout: 180_000 }, () => {
  it('shows exactly the files docs/deploy/ holds', () => {
    for (const [name, file] of [
      ['sample config', 'config.example.json'],
      ['unit', 'signet-verifier.service'],
      ['nginx', 'nginx-signet.conf'],
      ['caddy', 'Caddyfile'],
      ['issue link', 'issue-link.mjs'],
    ] as const) {
      expect(marked(name), `the guide's "${name}" block is docs/deploy/${file}`).toBe(
        deployFile(file).trimEnd(),
      );
    }
  });

  let configFile: string;
  let config: { adminToken: string; stores: Record<string, unknown>; state: { sqlite: string } };

  it('exports the config, installs it for the service user with its state in the state folder', async () => {
    const exported = runBlock(onThisMachine(marked('export')), desktop);
    expect(exported.code, exported.stderr).toBe(0);
    // accounts list --json shows each account's fixed store name: the one the export writes.
    const [account] = jsonLines<{ name: string; store: string }>(exported.stdout.split('\n')[0]!);
    expect(account).toMatchObject({ name: ACCOUNT, store: 'My-Shop' });
    expect(exported.stdout).toMatch(/Wrote .*verifier\.json \(1 key, 1 store, a new admin token\)/);
    expect(existsSync(join(desktop, 'verifier.json')), 'the desktop copy is deleted').toBe(false);

    const installed = runBlock(onThisMachine(marked('install')), serverHome);
    expect(installed.code, installed.stderr).toBe(0);
    configFile = join(root, 'etc/signet-verifier/config.json');
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'etc/signet-verifier')).mode & 0o777).toBe(0o750);
    expect(statSync(join(root, 'var/lib/signet-verifier')).mode & 0o777).toBe(0o700);
    expect(existsSync(join(serverHome, 'verifier.json')), 'the copy in the home folder is removed').toBe(
      false,
    );

    config = JSON.parse(readFileSync(configFile, 'utf8')) as typeof config;
    expect(Object.keys(config.stores)).toEqual([account!.store]);
    expect(config.state).toEqual({ sqlite: join(root, 'var/lib/signet-verifier/state.sqlite') });
    const loaded = loadConfigFile(configFile);
    expect(loaded.listen).toEqual({ host: '127.0.0.1', port });
    expect(loaded.adminListen).toEqual({ host: '127.0.0.1', port: adminPort });

    // The sample in the guide has the fields the export writes, in its order, and the verifier accepts it.
    const sample = JSON.parse(deployFile('config.example.json')) as Record<string, unknown>;
    expect(Object.keys(sample)).toEqual(Object.keys(config));
    expect(() => parseConfig(sample, { baseDir: tmp })).not.toThrow();
  });

  it('fixes the state file of the window’s export with the guide’s one command', async () => {
    const other = join(tmp, 'window-root');
    // What Settings → Export verifier config… writes: the same exporter, no state path (state.sqlite next to it).
    const exported = await signet([
      'verifier-config',
      '--out',
      join(serverHome, 'verifier.json'),
      '--admin-listen',
      `127.0.0.1:${adminPort}`,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(runBlock(onThisMachine(marked('install'), other), serverHome, other).code).toBe(0);
    const file = join(other, 'etc/signet-verifier/config.json');
    expect(loadConfigFile(file).state).toEqual({
      kind: 'sqlite',
      path: join(other, 'etc/signet-verifier/state.sqlite'),
    });
    const fixed = runBlock(onThisMachine(marked('window export'), other), serverHome, other);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(loadConfigFile(file).state).toEqual({
      kind: 'sqlite',
      path: join(other, 'var/lib/signet-verifier/state.sqlite'),
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('runs by hand as written, then as the unit’s ExecStart says', async () => {
    const [byHand] = onThisMachine(marked('by hand')).split('\n');
    const first = await startProcess(byHand!, /admin API and metrics on http:\/\/127\.0\.0\.1:\d+/);
    expect(first.output()).toContain(`Signet verifier listening on http://127.0.0.1:${port}`);
    expect(first.output()).toContain(
      `Signet verifier admin API and metrics on http://127.0.0.1:${adminPort}`,
    );
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ ok: true });
    expect(existsSync(join(root, 'var/lib/signet-verifier/state.sqlite'))).toBe(true);
    expect(await first.stop()).toBe(0);

    await startService();
  });

  let service_: Awaited<ReturnType<typeof startProcess>> | null = null;
  /** The verifier as systemd starts it: the unit's ExecStart, rewritten like the guide's commands. */
  async function startService(): Promise<void> {
    await service_?.stop();
    const execStart = /^ExecStart=(.*)$/m.exec(deployFile('signet-verifier.service'))![1]!;
    expect(execStart).toBe(
      '/usr/local/bin/node /opt/signet/out/verifier/cli.js --config /etc/signet-verifier/config.json --workers 2',
    );
    service_ = await startProcess(onThisMachine(execStart), /admin API and metrics on/);
  }

  const tls = { dir: '', cert: '', key: '', port: 0, httpPort: 0, log: '' };
  let nginxProcess: Awaited<ReturnType<typeof startProcess>> | null = null;

  it('nginx -t accepts the guide’s nginx file, and nginx passes links to the verifier and /admin/ to its admin listener', async () => {
    tls.dir = join(tmp, 'nginx');
    mkdirSync(join(tls.dir, 'logs'), { recursive: true });
    tls.cert = join(tls.dir, 'fullchain.pem');
    tls.key = join(tls.dir, 'privkey.pem');
    tls.log = join(tls.dir, 'signet.log');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,DNS:downloads.example.com,IP:127.0.0.1',
        '-keyout',
        tls.key,
        '-out',
        tls.cert,
      ],
      { stdio: 'ignore' },
    );
    const ca = readFileSync(tls.cert, 'utf8');

    let site = deployFile('nginx-signet.conf');
    site = replaceExactly(site, '/etc/letsencrypt/live/downloads.example.com/fullchain.pem', tls.cert);
    site = replaceExactly(site, '/etc/letsencrypt/live/downloads.example.com/privkey.pem', tls.key);
    site = replaceExactly(site, '/var/log/nginx/signet.log', tls.log);
    const main = (include: string) =>
      `pid ${tls.dir}/nginx.pid;\nerror_log ${tls.dir}/error.log;\nevents {}\nhttp {\n    include ${include};\n}\n`;
    writeFileSync(join(tls.dir, 'signet.conf'), site);
    writeFileSync(join(tls.dir, 'nginx.conf'), main(join(tls.dir, 'signet.conf')));
    const checked = spawnSync('nginx', ['-t', '-p', tls.dir, '-c', join(tls.dir, 'nginx.conf')], {
      encoding: 'utf8',
    });
    expect(checked.error, 'nginx missing: apt-get install nginx').toBeUndefined();
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stderr).toContain('test is successful');

    // The same file, running: on free loopback ports, in front of the verifier's two listeners.
    [tls.port, tls.httpPort] = [await freePort(), await freePort()];
    let running = site;
    running = replaceExactly(running, 'listen 443 ssl http2;', `listen 127.0.0.1:${tls.port} ssl http2;`);
    running = replaceExactly(running, 'listen [::]:443 ssl http2;', '');
    running = replaceExactly(running, 'listen 80;', `listen 127.0.0.1:${tls.httpPort};`);
    running = replaceExactly(running, 'listen [::]:80;', '');
    running = replaceExactly(running, 'server 127.0.0.1:8787;', `server 127.0.0.1:${port};`);
    running = replaceExactly(running, 'server 127.0.0.1:8788;', `server 127.0.0.1:${adminPort};`);
    writeFileSync(join(tls.dir, 'running.conf'), running);
    writeFileSync(join(tls.dir, 'nginx-running.conf'), main(join(tls.dir, 'running.conf')));
    nginxProcess = await startProcess(
      `nginx -p ${tls.dir} -c ${join(tls.dir, 'nginx-running.conf')} -g 'daemon off; master_process off;'`,
      null,
    );
    await listening(tls.port);

    // The app's settings point at nginx; the admin API address stays empty: revocations go through nginx too.
    const base = `https://localhost:${tls.port}`;
    expect((await signet(['settings', 'set', 'verifier-url', base])).code).toBe(0);
    const link = await ok<{ url: string; jti: string }>([
      'link',
      ACCOUNT,
      KEY,
      '--max',
      '2',
      '--order',
      '77',
    ]);
    expect(link.url.startsWith(`${base}/downloads/my-plugin?token=v1.`)).toBe(true);
    const path = link.url.slice(base.length);

    const redirect = await viaTls(tls.port, ca, path);
    expect(redirect.status).toBe(302);
    expect(redirect.headers['cache-control']).toBe('no-store');
    expect(redirect.headers['referrer-policy']).toBe('no-referrer');
    expect(redirect.headers['strict-transport-security']).toBe('max-age=31536000');
    const file = await fetch(redirect.headers['location'] as string);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(BODY)).toBe(true);

    // The access log has the request, never the token.
    await new Promise((r) => setTimeout(r, 200));
    const log = readFileSync(tls.log, 'utf8');
    expect(log).toContain('"GET /downloads/my-plugin HTTP/1.1" 302');
    expect(log).not.toContain('token');
    expect(log).not.toContain(link.url.split('.').at(-1)!);

    // /admin/ reaches the admin listener: the public one answers 404 for it.
    expect((await fetch(`http://127.0.0.1:${port}/admin/links/${link.jti}`)).status).toBe(404);
    const usage = await viaTls(tls.port, ca, `/admin/links/${link.jti}`, {
      headers: { authorization: `Bearer ${config.adminToken}` },
    });
    expect(usage.status).toBe(200);
    expect(JSON.parse(usage.body.toString())).toMatchObject({ downloads: 1, revoked: false });
    expect((await viaTls(tls.port, ca, `/admin/links/${link.jti}`)).status).toBe(401);
    const metrics = await viaTls(tls.port, ca, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body.toString()).toContain('signet_verifier_requests_total');
    expect((await viaTls(tls.port, ca, '/healthz')).status).toBe(200);
    expect((await viaTls(tls.port, ca, '/')).status).toBe(404);

    // The app, as the command line: download counts and revoking through nginx's /admin/.
    const trust = { NODE_EXTRA_CA_CERTS: tls.cert };
    const listed = jsonLines<{ jti: string; downloads: number | null }>(
      (await signet(['links', 'list', '--json'], { env: trust })).stdout,
    );
    expect(listed.find((l) => l.jti === link.jti)?.downloads).toBe(1);
    const revoked = await signet(['links', 'revoke', link.jti, '--json'], { env: trust });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await viaTls(tls.port, ca, path)).status).toBe(403);

    // Through an SSH tunnel the app ends at the admin listener on this computer's loopback: the same answers.
    expect(
      (await signet(['settings', 'set', 'verifier-admin-url', `http://127.0.0.1:${adminPort}`])).code,
    ).toBe(0);
    const viaTunnel = jsonLines<{ jti: string; downloads: number | null; status: string }>(
      (await signet(['links', 'list', '--json'])).stdout,
    );
    expect(viaTunnel.find((l) => l.jti === link.jti)).toMatchObject({ downloads: 1, status: 'revoked' });
    expect((await signet(['settings', 'set', 'verifier-admin-url', ''])).code).toBe(0);

    // A plain-http request is sent to https.
    const http = await fetch(`http://127.0.0.1:${tls.httpPort}${path}`, { redirect: 'manual' });
    expect(http.status).toBe(301);
  });

  it('caddy validate accepts the guide’s Caddyfile, and Caddy routes links and /admin/ the same way', async () => {
    const dir = join(tmp, 'caddy');
    mkdirSync(dir, { recursive: true });
    const env = { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
    const caddyfile = replaceExactly(
      deployFile('Caddyfile'),
      '/var/log/caddy/signet.log',
      join(dir, 'signet.log'),
    );
    writeFileSync(join(dir, 'Caddyfile'), caddyfile);
    const valid = spawnSync(
      'caddy',
      ['validate', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'],
      {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      },
    );
    expect(valid.error, 'caddy missing: apt-get install caddy').toBeUndefined();
    expect(valid.status, valid.stderr).toBe(0);
    expect(valid.stdout + valid.stderr).toContain('Valid configuration');

    // Running: plain http on a free loopback port instead of the host name (no certificate to get here).
    const caddyPort = await freePort();
    let running = replaceExactly(caddyfile, 'downloads.example.com {', `http://127.0.0.1:${caddyPort} {`);
    running = replaceExactly(running, '127.0.0.1:8787', `127.0.0.1:${port}`, 2);
    running = replaceExactly(running, '127.0.0.1:8788', `127.0.0.1:${adminPort}`, 2);
    writeFileSync(join(dir, 'Caddyfile.running'), `{\n\tadmin off\n}\n\n${running}`);
    const caddy = await startProcess(
      `caddy run --config ${join(dir, 'Caddyfile.running')} --adapter caddyfile`,
      /serving initial configuration/,
      env,
    );
    await listening(caddyPort);
    const base = `http://127.0.0.1:${caddyPort}`;
    const link = await ok<{ url: string; jti: string }>(['link', ACCOUNT, KEY]);
    const path = link.url.slice(link.url.indexOf('/downloads/'));
    const redirect = await fetch(`${base}${path}`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    const revoke = await fetch(`${base}/admin/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ jti: link.jti }),
    });
    expect(revoke.status).toBe(200);
    expect((await fetch(`${base}${path}`, { redirect: 'manual' })).status).toBe(403);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/`)).status).toBe(404);
    await caddy.stop();
    const log = readFileSync(join(dir, 'signet.log'), 'utf8');
    expect(log).toContain('/downloads/my-plugin');
    expect(log).not.toContain(link.url.split('.').at(-1)!);
  });

  it('systemd-analyze verify accepts the unit (with ExecStart pointing at this machine’s node)', () => {
    const dir = join(tmp, 'systemd');
    mkdirSync(dir, { recursive: true });
    const unit = join(dir, 'signet-verifier.service');
    // verify checks that ExecStart's program exists: here node is not at /usr/local/bin.
    writeFileSync(
      unit,
      replaceExactly(
        deployFile('signet-verifier.service'),
        'ExecStart=/usr/local/bin/node ',
        `ExecStart=${process.execPath} `,
      ),
    );
    const verified = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verified.error, 'systemd-analyze missing: apt-get install systemd').toBeUndefined();
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout + verified.stderr).not.toContain('signet-verifier.service');
    const security = spawnSync('systemd-analyze', ['security', '--offline=yes', unit], { encoding: 'utf8' });
    expect(security.status, security.stderr).toBe(0);
    const exposure = /Overall exposure level for signet-verifier\.service: ([\d.]+)/.exec(security.stdout);
    expect(Number(exposure?.[1])).toBeLessThanOrEqual(2);
  });

  it('links made by your own code: the guide’s additions and issue-link.mjs give file and URL links', async () => {
    const added = runBlock(onThisMachine(marked('own additions')), serverHome);
    expect(added.code, added.stderr).toBe(0);
    expect(statSync(join(root, 'etc/signet-verifier/shop.key')).mode & 0o777).toBe(0o600);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    const shopKey = readFileSync(join(root, 'etc/signet-verifier/shop.key'), 'utf8').trim();
    const zip = randomBytes(5000);
    writeFileSync(join(root, 'srv/signet-downloads/my-plugin-1.2.zip'), zip);
    await startService();
    const ca = readFileSync(tls.cert, 'utf8');

    const { issueLink } = (await import(pathToFileURL(join(DEPLOY, 'issue-link.mjs')).href)) as {
      issueLink: (o: Record<string, unknown>) => { url: string; jti: string };
    };
    const base = `https://localhost:${tls.port}`;
    const shop = { base, kid: 'shop', secret: shopKey, slug: 'my-plugin' };
    const fileLink = issueLink({
      ...shop,
      src: { type: 'file', path: 'my-plugin-1.2.zip' },
      max: 1,
      licenseId: 1042,
    });
    const path = (url: string) => url.slice(base.length);
    const got = await viaTls(tls.port, ca, path(fileLink.url));
    expect(got.status).toBe(200);
    expect(got.body.equals(zip)).toBe(true);
    expect((await viaTls(tls.port, ca, path(fileLink.url))).status).toBe(410);

    const urlLink = issueLink({
      ...shop,
      src: { type: 'url', url: 'https://cdn.example.com/my-plugin-1.2.zip' },
    });
    const redirect = await viaTls(tls.port, ca, path(urlLink.url));
    expect(redirect.status).toBe(302);
    expect(redirect.headers['location']).toBe('https://cdn.example.com/my-plugin-1.2.zip');

    // Revoking an order's links through the admin API, as the guide says.
    const again = issueLink({ ...shop, src: { type: 'file', path: 'my-plugin-1.2.zip' }, licenseId: 1042 });
    const revoke = await viaTls(tls.port, ca, '/admin/revocations', {
      method: 'POST',
      headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ license_id: 1042 }),
    });
    expect(revoke.status).toBe(200);
    expect((await viaTls(tls.port, ca, path(again.url))).status).toBe(403);

    // The app's own links keep working next to them.
    const appLink = await ok<{ url: string }>(['link', ACCOUNT, KEY]);
    expect((await viaTls(tls.port, ca, path(appLink.url))).status).toBe(302);

    await nginxProcess?.stop();
    expect(await service_?.stop()).toBe(0);
  });
});
