import { KeyExistsError } from './storage-gateway';

/**
 * An error as it crosses to another thread. A structured clone keeps only an Error's name and message, but the
 * job's retries and its words for a failure read more (provider-errors.ts `errorFacts`): the S3 or Node code,
 * the HTTP status, the attempts, the region and server headers, the cause's code.
 */
export interface WireError {
  name: string;
  message: string;
  /** The error's own fields that are plain values (`Code`, `code`, `Region`, `$fault`, a KeyExistsError's key…). */
  fields: Record<string, string | number | boolean | null>;
  metadata: { httpStatusCode?: number; attempts?: number; requestId?: string } | null;
  response: { statusCode?: number; headers: Record<string, string> } | null;
  cause: { code?: string; message?: string } | null;
}

/** The answer headers errorFacts reads; the rest stay behind. */
const HEADERS = ['server', 'x-amz-bucket-region'];

export function errorToWire(err: unknown): WireError {
  if (!(err instanceof Error) && (typeof err !== 'object' || err === null)) {
    return { name: 'Error', message: String(err), fields: {}, metadata: null, response: null, cause: null };
  }
  const e = err as Error & Record<string, unknown>;
  const fields: WireError['fields'] = {};
  for (const [k, v] of Object.entries(e)) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v as string | number;
  }
  const meta = e['$metadata'] as Record<string, unknown> | undefined;
  const res = e['$response'] as { statusCode?: unknown; headers?: Record<string, unknown> } | undefined;
  const cause = e['cause'] as Record<string, unknown> | undefined;
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(e),
    fields,
    metadata: meta
      ? {
          ...(typeof meta['httpStatusCode'] === 'number' ? { httpStatusCode: meta['httpStatusCode'] } : {}),
          ...(typeof meta['attempts'] === 'number' ? { attempts: meta['attempts'] } : {}),
          ...(typeof meta['requestId'] === 'string' ? { requestId: meta['requestId'] } : {}),
        }
      : null,
    response: res
      ? {
          ...(typeof res.statusCode === 'number' ? { statusCode: res.statusCode } : {}),
          headers: Object.fromEntries(
            HEADERS.filter((h) => typeof res.headers?.[h] === 'string').map((h) => [
              h,
              res.headers![h] as string,
            ]),
          ),
        }
      : null,
    cause:
      cause && typeof cause === 'object'
        ? {
            ...(typeof cause['code'] === 'string' ? { code: cause['code'] } : {}),
            ...(typeof cause['message'] === 'string' ? { message: cause['message'] } : {}),
          }
        : null,
  };
}

/** The error again on this side: a KeyExistsError as its class (a job tests for it), any other as an Error. */
export function errorFromWire(wire: WireError): Error {
  if (wire.name === 'KeyExistsError') {
    return new KeyExistsError(String(wire.fields['bucket'] ?? ''), String(wire.fields['key'] ?? ''));
  }
  const err = Object.assign(new Error(wire.message), wire.fields) as Error & Record<string, unknown>;
  err.name = wire.name;
  if (wire.metadata) err['$metadata'] = wire.metadata;
  if (wire.response) err['$response'] = wire.response;
  if (wire.cause) err['cause'] = wire.cause;
  return err;
}
