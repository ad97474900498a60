/**
 * Link issuing throughput (issue 9, "Performance"): 10,000 verifier links and 10,000 direct URLs issued through
 * the app's services with their ledger rows, a `links batch` of 10,000 CSV rows end to end, beside raw
 * HMAC-SHA256 and the AWS SDK's getSignedUrl in the same run. The services are bundled from src/ with Vite (like
 * bench/lib/library-build.mjs) and run on a temp SQLite file with an in-memory secret store: no network (a
 * verifier link is signed locally, a pre-signed URL too).
 *
 *   node scripts/native-abi.mjs node && node bench/links-bench.mjs
 * Aims: verifier links ≥ 50k/s with the ledger, token alone ≥ 100k/s, direct URLs ≥ 10k/s, batch < 2 s.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = new URL('../', import.meta.url).pathname;
const require = createRequire(join(ROOT, 'package.json'));
const N = Number(process.env.LINKS_BENCH_N ?? 10_000);
const ROUNDS = Number(process.env.LINKS_BENCH_ROUNDS ?? 5);

const ENTRIES = {
  wiring: 'src/main/wiring.ts',
  secrets: 'src/main/services/memory-secret-store.ts',
  clock: 'src/main/services/clock.ts',
  token: 'src/shared/token/index.ts',
};

async function buildModules(outDir) {
  const { build } = await import('vite');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const deps = Object.keys(pkg.dependencies ?? {});
  const resolveFromRoot = (id) => {
    try {
      return require.resolve(id);
    } catch {
      return id;
    }
  };
  await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      ssr: true,
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
        external: (id) => isBuiltin(id) || deps.some((d) => id === d || id.startsWith(`${d}/`)),
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          chunkFileNames: 'chunk-[name]-[hash].cjs',
          paths: (id) => (isBuiltin(id) ? id : resolveFromRoot(id)),
        },
      },
    },
  });
  return Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, require(join(outDir, `${name}.cjs`))]));
}

/**
 * The issue's aims were set on a machine doing ~385k raw HMACs per second. Each aim is also judged scaled by the
 * raw HMAC anchor of this run (aim × anchor here / 385k), so a slower or busier machine is not mistaken for slower
 * code; both verdicts are printed.
 */
const AIM_MACHINE_HMACS = 385_000;

function rate(label, n, ms, aim, hmacPerSecond) {
  const perSecond = (n / ms) * 1000;
  let verdict = '';
  let met = true;
  if (aim !== undefined) {
    const scaled = Math.round((aim * hmacPerSecond) / AIM_MACHINE_HMACS);
    met = perSecond >= scaled;
    verdict =
      `  aim ≥ ${aim.toLocaleString('en')}/s: ${perSecond >= aim ? 'met' : 'missed'}; ` +
      `scaled to this machine ≥ ${scaled.toLocaleString('en')}/s: ${met ? 'met' : 'MISSED'}`;
  }
  console.log(
    `${label.padEnd(40)} ${String(Math.round(perSecond).toLocaleString('en')).padStart(9)}/s  (${n} in ${ms.toFixed(0)} ms)${verdict}`,
  );
  return met;
}

/** Median wall time of ROUNDS timed runs of `fn`, after one untimed run (V8 optimizes it first). */
async function medianMs(fn) {
  await fn();
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const verdicts = [];
const dir = mkdtempSync(join(tmpdir(), 'signet-links-bench-'));
try {
  const mods = await buildModules(join(dir, 'build'));
  const services = mods.wiring.createMainServices({
    databaseFile: join(dir, 'signet.db'),
    secrets: new mods.secrets.MemorySecretStore(),
    clock: mods.clock.systemClock,
    facts: {
      name: 'Signet',
      version: 'bench',
      versions: { electron: null, chrome: null, node: process.versions.node },
      platform: process.platform,
      dataFolder: dir,
    },
    emit: () => undefined,
  });
  const account = await services.accounts.add({
    settings: {
      name: 'Bench Shop',
      provider: 'custom',
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      forcePathStyle: true,
      buckets: ['shop'],
      privateBucket: null,
    },
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret-access-key-0000000000000000' },
  });
  services.settings.update({ verifierBaseUrl: 'https://shop.example.com' });
  const target = services.links.target(account.id, 'shop', 'products/my-plugin.zip');
  const fields = (i, kind) => ({
    kind,
    productSlug: 'my-plugin',
    orderId: String(100000 + i),
    email: `c${i}@example.com`,
    note: '',
    maxDownloads: kind === 'verifier' ? 3 : null,
    filename: '',
    expiry: { type: 'seconds', seconds: kind === 'verifier' ? 30 * 86400 : 86400 },
  });
  console.log(
    `Signet link bench, Node ${process.versions.node}, ${N.toLocaleString('en')} links per round, ` +
      `median of ${ROUNDS} rounds after a warm-up\n`,
  );

  // Raw HMAC-SHA256 over a token-sized signing input: the anchor, and the machine's speed.
  const secret = randomBytes(32);
  const input = `v1.k1.${'x'.repeat(300)}`;
  const hmacMs = await medianMs(() => {
    for (let i = 0; i < N; i++) createHmac('sha256', secret).update(input, 'latin1').digest();
  });
  rate('raw HMAC-SHA256 (anchor)', N, hmacMs);
  const hmacPerSecond = (N / hmacMs) * 1000;

  // The AWS SDK's presigner, for scale.
  const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
  const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
  const client = new S3Client({
    endpoint: 'http://127.0.0.1:7480',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  });
  const sdkN = Math.min(N, 2000);
  const sdkMs = await medianMs(async () => {
    for (let i = 0; i < sdkN; i++) {
      await getSignedUrl(client, new GetObjectCommand({ Bucket: 'shop', Key: 'products/my-plugin.zip' }), {
        expiresIn: 3600,
      });
    }
  });
  rate('AWS SDK getSignedUrl', sdkN, sdkMs);
  client.destroy();

  // Token alone: issueToken with the app's checks.
  const { issueToken, generateJti } = mods.token;
  const now = Math.floor(Date.now() / 1000);
  const tokenMs = await medianMs(() => {
    for (let i = 0; i < N; i++) {
      issueToken(
        {
          product_slug: 'my-plugin',
          expires: now + 86400,
          jti: generateJti(),
          src: { type: 's3', store: 'Bench-Shop', bucket: 'shop', key: 'products/my-plugin.zip' },
          license_id: String(i),
          max: 3,
          filename: 'my-plugin.zip',
          iat: now,
        },
        'k1',
        secret,
      );
    }
  });
  verdicts.push(rate('token alone (issueToken)', N, tokenMs, 100_000, hmacPerSecond));

  // Verifier links through the service, ledger rows included (one transaction, as a batch writes them).
  const issuer = await services.links.verifierIssuer();
  const ledger = services.linkBatch.deps.ledger;
  const at = new Date();
  let records = [];
  const verifierMs = await medianMs(() => {
    records = [];
    for (let i = 0; i < N; i++)
      records.push(services.links.verifierLink(issuer, target, fields(i, 'verifier'), at));
    ledger.insertMany(records);
  });
  verdicts.push(rate('verifier links + ledger (LinkService)', N, verifierMs, 50_000, hmacPerSecond));

  // Direct pre-signed URLs through the storage gateway (clock offset applied), ledger rows included.
  const gateway = await services.gateways.for(account.id);
  const directMs = await medianMs(() => {
    const direct = [];
    for (let i = 0; i < N; i++) {
      const url = gateway.presign('shop', 'products/my-plugin.zip', {
        expiresIn: 86400,
        query: { 'response-content-disposition': 'attachment; filename="my-plugin.zip"' },
      });
      direct.push({ ...records[i], jti: generateJti(), kind: 'direct', kid: null, maxDownloads: null, url });
    }
    ledger.insertMany(direct);
  });
  verdicts.push(rate('direct URLs + ledger (StorageGateway)', N, directMs, 10_000, hmacPerSecond));

  // `links batch` end to end: CSV in, links and ledger rows, CSV out.
  const csv = [
    'order,email,product,max,expires',
    ...Array.from({ length: N }, (_, i) => `${200000 + i},b${i}@example.com,my-plugin,3,30d`),
  ].join('\n');
  const t0 = performance.now();
  const result = await services.linkBatch.issue(csv, account.id);
  const batchMs = performance.now() - t0;
  console.log(
    `${'links batch, CSV to CSV (one run)'.padEnd(40)} ${batchMs.toFixed(0).padStart(9)} ms for ${result.issued} rows  aim < 2000 ms: ${batchMs < 2000 ? 'met' : 'MISSED'}`,
  );
  verdicts.push(batchMs < 2000);
  console.log(
    `\n${verdicts.every(Boolean) ? 'every aim met' : 'an aim was MISSED'} (throughput aims judged scaled by the HMAC anchor; ` +
      `${Math.round(hmacPerSecond).toLocaleString('en')} HMACs/s here vs ${AIM_MACHINE_HMACS.toLocaleString('en')}/s where they were set)`,
  );
  services.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
