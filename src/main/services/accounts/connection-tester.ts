import { effectiveEndpoint, PROVIDERS } from '@shared/accounts/providers';
import type { BucketReport, ClockCheck, Note, Problem, TestResult } from '@shared/accounts/schemas';
import { needsPrivateBucket } from '@shared/accounts/privacy';
import type { Clock } from '../clock';
import { clockCheckFrom, describeOffset } from '../storage/clock-skew';
import { openTestConnection, type TestConnection } from '../storage/connection-probe';
import { explainS3Error, type ErrorContext } from '../storage/provider-errors';
import type { S3ClientFactory, S3ConnectionSettings, S3Credentials } from '../storage/s3-client-factory';
import { adviceFor, decideExposure, decidePrivacyModel } from './privacy-model';

/** When the account names no buckets, at most this many of the listed ones are examined. */
export const MAX_AUTO_BUCKETS = 10;
/** Buckets examined at the same time: each takes up to seven small requests. */
const BUCKET_CONCURRENCY = 3;

export interface TestSubject {
  settings: S3ConnectionSettings;
  credentials: S3Credentials;
  buckets: readonly string[];
  privateBucket: string | null;
  /** The offset measured last time; the test measures again. */
  clockOffsetMs: number;
}

/**
 * Tests an account end to end: signs in (listing buckets), measures the clock against the server's Date header,
 * and examines each bucket: reachable or not, its privacy model and its exposure. It changes nothing on the
 * storage. Errors become problems with advice, never exceptions.
 */
export class ConnectionTester {
  constructor(
    private readonly factory: S3ClientFactory,
    private readonly clock: Clock,
  ) {}

  async test(subject: TestSubject): Promise<TestResult> {
    const testedAt = this.clock.now().toISOString();
    const { settings } = subject;
    const endpoint = effectiveEndpoint(settings.provider, settings.endpoint, settings.region);
    const context: ErrorContext = {
      provider: settings.provider,
      endpoint,
      region: settings.region,
      operation: 'connect',
    };
    const temporary = !!subject.credentials.sessionToken;
    const notes: Note[] = [];

    // 1. Sign in by listing buckets; the response's Date header tells the server's time. Readings compare it
    // with the local clock (not the corrected one), so each is the full offset whatever the client applied.
    let connection = this.connect(subject, subject.clockOffsetMs);
    let listed = await connection.listBuckets();
    let reading = connection.latestServerDate();

    if (!listed.ok && reading && explainS3Error(listed.error, context).kind === 'clock-skew') {
      // The server refused the request because of this computer's clock, and said what time it is: correct for
      // it, as Signet will when signing links for this account, and try once more.
      connection = this.connect(subject, clockCheckFrom(reading).offsetMs);
      listed = await connection.listBuckets();
      reading = connection.latestServerDate() ?? reading;
    }
    const clock: ClockCheck | null = reading ? clockCheckFrom(reading) : null;
    if (clock?.skewed) {
      notes.push({
        level: 'warning',
        text:
          `This computer's clock is ${describeOffset(clock.offsetMs)} the storage server's. Signet corrects for it when ` +
          'signing for this account, but set your clock to update automatically: other programs and your ' +
          "customers' links depend on it.",
      });
    }
    if (temporary) {
      notes.push({
        level: 'warning',
        text:
          'These are temporary credentials (with a session token): links signed with them stop working when the ' +
          'session ends, often within hours. Use a permanent access key for customer links.',
      });
    }

    let listing: TestResult['listing'] = { allowed: false, names: [] };
    if (listed.ok) {
      listing = { allowed: true, names: listed.names };
    } else {
      const problem = explainS3Error(listed.error, context);
      const canGoOn =
        problem.kind === 'access-denied' && (subject.buckets.length > 0 || subject.privateBucket);
      if (!canGoOn && problem.kind !== 'access-denied') {
        return this.failed(testedAt, problem, clock, temporary, notes);
      }
      if (!canGoOn) {
        notes.push({ level: 'warning', text: `${problem.title} ${problem.advice}` });
        return {
          testedAt,
          status: 'warning',
          headline: 'Signed in, but the key may not list buckets: enter the buckets you use.',
          problem: null,
          clock,
          temporaryCredentials: temporary,
          listing,
          buckets: [],
          notes,
        };
      }
      notes.push({
        level: 'info',
        text: 'The key may not list all buckets (normal for keys limited to some buckets); Signet checked the buckets named in the account.',
      });
    }

    // 2. Which buckets to examine: the ones named in the account, else those listed.
    let names = [...new Set([...subject.buckets, ...(subject.privateBucket ? [subject.privateBucket] : [])])];
    if (names.length === 0) {
      names = listing.names.slice(0, MAX_AUTO_BUCKETS);
      if (listing.names.length > MAX_AUTO_BUCKETS) {
        notes.push({
          level: 'info',
          text: `The key sees ${listing.names.length} buckets; Signet examined the first ${MAX_AUTO_BUCKETS}. Name the buckets you use in the account settings to examine exactly those.`,
        });
      }
    }
    const buckets = await mapLimit(names, BUCKET_CONCURRENCY, (name) =>
      this.examineBucket(connection, subject, name, { ...context, operation: 'bucket', bucket: name }),
    );

    // 3. Account-wide advice.
    const reachable = buckets.filter((b) => b.reachable);
    if (subject.privateBucket && !reachable.some((b) => b.name === subject.privateBucket)) {
      notes.push({
        level: 'warning',
        text: `The private bucket “${subject.privateBucket}” could not be reached, so protected files cannot be stored there.`,
      });
    }
    if (!subject.privateBucket && reachable.some((b) => needsPrivateBucket(b.privacy.model))) {
      notes.push({
        level: 'warning',
        text:
          'Some buckets have no per-file access settings. Choose a private bucket in the account settings: ' +
          'protected files will be stored there.',
      });
    }
    if (listed.ok && listing.names.length === 0 && names.length === 0) {
      notes.push({
        level: 'info',
        text: `There are no buckets in this account yet. Create one at ${PROVIDERS[settings.provider].label} for your product files.`,
      });
    }

    const unreachable = buckets.length - reachable.length;
    const exposed = reachable.filter((b) => b.exposure.level === 'public').length;
    const allFailed = buckets.length > 0 && reachable.length === 0;
    const status: TestResult['status'] = allFailed
      ? 'failed'
      : unreachable > 0 || exposed > 0 || notes.some((n) => n.level === 'warning')
        ? 'warning'
        : 'ok';
    const headline = allFailed
      ? `Signed in, but no bucket could be reached (${buckets[0]!.problem?.title ?? 'see below'})`
      : [
          `Connected: ${count(reachable.length, 'bucket')} reachable`,
          unreachable ? `${unreachable} not reachable` : '',
          exposed ? `${count(exposed, 'public bucket')}` : '',
        ]
          .filter(Boolean)
          .join(', ') + '.';
    return {
      testedAt,
      status,
      headline,
      problem: null,
      clock,
      temporaryCredentials: temporary,
      listing,
      buckets,
      notes,
    };
  }

  private connect(subject: TestSubject, offset: number): TestConnection {
    return openTestConnection(this.factory, subject.settings, subject.credentials, offset, this.clock);
  }

  private async examineBucket(
    connection: TestConnection,
    subject: TestSubject,
    name: string,
    context: ErrorContext,
  ): Promise<BucketReport> {
    const provider = subject.settings.provider;
    const isPrivateBucket = name === subject.privateBucket;
    let problem: Problem | null = null;
    try {
      await connection.reachBucket(name);
    } catch (err) {
      problem = explainS3Error(err, context);
    }
    if (problem) {
      const report: Omit<BucketReport, 'advice'> = {
        name,
        reachable: false,
        problem,
        privacy: { model: 'unknown', source: 'unknown', evidence: [] },
        exposure: { level: 'unknown', findings: [] },
        isPrivateBucket,
      };
      return { ...report, advice: adviceFor(report, subject.privateBucket) };
    }
    const answers = await connection.probeBucket(name, provider);
    const report: Omit<BucketReport, 'advice'> = {
      name,
      reachable: true,
      problem: null,
      privacy: decidePrivacyModel(provider, answers),
      exposure: decideExposure(provider, answers),
      isPrivateBucket,
    };
    return { ...report, advice: adviceFor(report, subject.privateBucket) };
  }

  private failed(
    testedAt: string,
    problem: Problem,
    clock: ClockCheck | null,
    temporary: boolean,
    notes: Note[],
  ): TestResult {
    return {
      testedAt,
      status: 'failed',
      headline: problem.title,
      problem,
      clock,
      temporaryCredentials: temporary,
      listing: { allowed: false, names: [] },
      buckets: [],
      notes,
    };
  }
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  });
  await Promise.all(workers);
  return results;
}
