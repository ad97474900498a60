/**
 * Summarises V8 .cpuprofile files (node --cpu-prof): where the CPU time goes, so "what limits the
 * verifier" is an answer with numbers.
 *
 * Two views:
 * - by owner: each sample is charged to the nearest JavaScript frame on its stack that belongs to the
 *   verifier or to a package, so Node built-ins (crypto, socket writes) and native code count for the
 *   code that called them: "@smithy/signature-v4 28%" includes the HMACs it ran;
 * - by function: plain self time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The package (or area) a script URL belongs to; undefined for Node core and native frames. Files under
 * `ownDir` (the verifier's build) are the verifier's own code wherever the build lives.
 */
function packageOf(url, ownDir) {
  if (!url || url.startsWith('node:')) return undefined;
  const path = url.replace(/^file:\/\//, '');
  if (ownDir && path.startsWith(ownDir)) return 'verifier (its own code)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return nm[1];
  return path;
}

const label = ({ functionName, url, lineNumber }, ownDir) => {
  let where = url.replace(/^file:\/\//, '');
  where =
    ownDir && where.startsWith(ownDir)
      ? where.slice(ownDir.length + 1)
      : where.replace(/^.*node_modules\//, '');
  return `${functionName || '(anonymous)'}  ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
};

export function summariseProfiles(dir, { top = 15, ownDir } = {}) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const byFn = new Map();
  const byOwner = new Map();
  const byOwnerFn = new Map();
  let total = 0;
  const add = (m, k, dt) => m.set(k, (m.get(k) ?? 0) + dt);
  for (const f of files) {
    const profile = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // Owner of a node: itself or its nearest ancestor with a package; memoised per node id.
    const ownerCache = new Map();
    const ownerOf = (id) => {
      if (ownerCache.has(id)) return ownerCache.get(id);
      let cur = id;
      let owner;
      while (cur !== undefined) {
        const frame = nodes.get(cur).callFrame;
        const pkg = packageOf(frame.url, ownDir);
        if (pkg) {
          owner = { pkg, fn: label(frame, ownDir) };
          break;
        }
        cur = parent.get(cur);
      }
      ownerCache.set(id, owner);
      return owner;
    };
    profile.samples.forEach((id, i) => {
      const dt = profile.timeDeltas[i] ?? 0;
      const frame = nodes.get(id).callFrame;
      if (frame.functionName === '(idle)') return;
      total += dt;
      add(byFn, label(frame, ownDir), dt);
      const special = ['(garbage collector)', '(program)'].includes(frame.functionName);
      const owner = special ? undefined : ownerOf(id);
      add(
        byOwner,
        owner?.pkg ?? (special ? frame.functionName : 'Node core (event loop, HTTP parser, sockets)'),
        dt,
      );
      if (owner) add(byOwnerFn, owner.fn, dt);
    });
  }
  const rank = (m, n = top) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, t]) => ({ name, pct: (100 * t) / total }));
  return {
    files: files.length,
    busyMs: total / 1000,
    owners: rank(byOwner, 12),
    ownerFunctions: rank(byOwnerFn),
    functions: rank(byFn),
  };
}
