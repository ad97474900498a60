/**
 * How the state stores a link's networks for the share guard (spec "Share guard"): never the network
 * itself, only a keyed hash of it, so the state holds no address a leak could reveal. The key is a secret
 * of the state (generated once by the first verifier that opens it and kept there, never in the config):
 * every instance sharing the state computes the same hash, and nobody holding only the config can.
 *
 * The hash covers the link's jti too: the same network has another hash on every link, so the state
 * cannot be used to follow one customer across their purchases.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * Networks kept per link at most. Past a few hundred a link is shared beyond doubt; the bound keeps one
 * posted link from growing the state without end.
 */
export const NETWORKS_PER_LINK = 256;

/** 128 bits of HMAC-SHA256: no two networks of one link collide, and a row stays small. */
export const NETWORK_DIGEST_BYTES = 16;

/** Bytes of the state's secret. */
export const NETWORK_SECRET_BYTES = 32;

export function networkKey(secret: Uint8Array): KeyObject {
  if (secret.length !== NETWORK_SECRET_BYTES) {
    throw new Error(`the state's network secret has ${secret.length} bytes, not ${NETWORK_SECRET_BYTES}`);
  }
  return createSecretKey(secret);
}

/** HMAC-SHA256(secret, jti "\n" network), cut to NETWORK_DIGEST_BYTES. */
export function networkDigest(key: KeyObject, jti: string, network: string): Buffer {
  // jti is base64url, so "\n" cannot occur in it: the message names one (jti, network) pair only.
  return createHmac('sha256', key).update(`${jti}\n${network}`).digest().subarray(0, NETWORK_DIGEST_BYTES);
}

/**
 * Digests computed at most this many (jti, network) pairs ago are reused: the usual request repeats a link
 * from a network it was just asked from, and an HMAC (≈ 3 µs) was a tenth of the counted 302's CPU. The
 * cache lives in the process's memory only, never in the state, and is dropped whole when full.
 */
const DIGEST_CACHE_ENTRIES = 4096;

/** `networkDigest` for one state's key, encoded as that state stores it, with the cache above. */
export function createNetworkHasher<T>(
  secret: Uint8Array,
  encode: (digest: Buffer) => T,
): (jti: string, network: string) => T {
  const key = networkKey(secret);
  let cache = new Map<string, T>();
  return (jti, network) => {
    const id = `${jti}\n${network}`;
    let hit = cache.get(id);
    if (hit === undefined) {
      hit = encode(networkDigest(key, jti, network));
      if (cache.size >= DIGEST_CACHE_ENTRIES) cache = new Map();
      cache.set(id, hit);
    }
    return hit;
  };
}
