/**
 * Prometheus metrics: requests by outcome and a latency histogram (time from request to response
 * headers; a streamed file's transfer time is the client's, not the verifier's). Each process keeps
 * plain counters; in cluster mode the primary sums the workers' snapshots on every scrape, so
 * /metrics answers for the whole service whichever worker serves it (see cluster.ts).
 */

/** Upper bounds in seconds; the hot paths answer in well under a millisecond. */
export const DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
] as const;

export interface MetricsSnapshot {
  requests: Record<string, number>;
  /** Non-cumulative counts per bucket, plus one for +Inf at the end. */
  buckets: number[];
  sum: number;
  count: number;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly buckets = new Array<number>(DURATION_BUCKETS.length + 1).fill(0);
  private sum = 0;
  private count = 0;

  observe(outcome: string, seconds: number): void {
    this.requests.set(outcome, (this.requests.get(outcome) ?? 0) + 1);
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[i] as number)) i++;
    this.buckets[i] = (this.buckets[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }

  snapshot(): MetricsSnapshot {
    return {
      requests: Object.fromEntries(this.requests),
      buckets: [...this.buckets],
      sum: this.sum,
      count: this.count,
    };
  }
}

export function emptySnapshot(): MetricsSnapshot {
  return { requests: {}, buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
}

export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot {
  const out = emptySnapshot();
  for (const s of snapshots) {
    for (const [k, v] of Object.entries(s.requests)) out.requests[k] = (out.requests[k] ?? 0) + v;
    s.buckets.forEach((v, i) => (out.buckets[i] = (out.buckets[i] ?? 0) + v));
    out.sum += s.sum;
    out.count += s.count;
  }
  return out;
}

/** Prometheus text exposition format 0.0.4. Outcome labels are fixed codes, so no escaping is needed
 *  beyond the format's own (done anyway). */
export function renderPrometheus(s: MetricsSnapshot, extra: { workers?: number } = {}): string {
  const lines: string[] = [
    '# HELP signet_verifier_requests_total Requests answered, by outcome.',
    '# TYPE signet_verifier_requests_total counter',
  ];
  for (const outcome of Object.keys(s.requests).sort()) {
    lines.push(`signet_verifier_requests_total{outcome="${escapeLabel(outcome)}"} ${s.requests[outcome]}`);
  }
  lines.push(
    '# HELP signet_verifier_request_duration_seconds Time from request to response headers.',
    '# TYPE signet_verifier_request_duration_seconds histogram',
  );
  let cumulative = 0;
  DURATION_BUCKETS.forEach((le, i) => {
    cumulative += s.buckets[i] ?? 0;
    lines.push(`signet_verifier_request_duration_seconds_bucket{le="${le}"} ${cumulative}`);
  });
  lines.push(
    `signet_verifier_request_duration_seconds_bucket{le="+Inf"} ${s.count}`,
    `signet_verifier_request_duration_seconds_sum ${s.sum}`,
    `signet_verifier_request_duration_seconds_count ${s.count}`,
  );
  if (extra.workers !== undefined) {
    lines.push(
      '# HELP signet_verifier_workers Worker processes answering requests.',
      '# TYPE signet_verifier_workers gauge',
      `signet_verifier_workers ${extra.workers}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
