import { z } from 'zod';
import type { ExposureFinding } from '@shared/accounts/schemas';

/**
 * Reads a bucket policy for statements that let everyone in. Simplified from what AWS itself calls "public": a
 * statement is public when it allows a principal of `*` and none of its conditions pins the caller down (source
 * IP, VPC, account, organisation). A Referer or User-Agent condition does not count: anyone can send those.
 */

const stringOrList = z.union([z.string(), z.array(z.string())]);
const StatementSchema = z.looseObject({
  Effect: z.string().optional(),
  Principal: z.union([z.string(), z.record(z.string(), stringOrList)]).optional(),
  Action: stringOrList.optional(),
  Resource: stringOrList.optional(),
  Condition: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
const PolicySchema = z.looseObject({
  Statement: z.union([StatementSchema, z.array(StatementSchema)]),
});

/** Condition keys that restrict who the caller is or where they come from. */
const RESTRICTING_KEYS = new Set(
  [
    'aws:SourceIp',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:userid',
    'aws:username',
    's3:DataAccessPointAccount',
    's3:DataAccessPointArn',
  ].map((k) => k.toLowerCase()),
);

export interface PolicyFinding {
  effect: ExposureFinding['effect'];
  text: string;
  /**
   * The key prefixes a public download statement is limited to (`["leak/"]` for `arn:aws:s3:::b/leak/*`); absent
   * when it covers every file of the bucket. Only download findings are scoped: a public write or list is bad
   * whatever its prefix.
   */
  prefixes?: string[];
}

export function analyzeBucketPolicy(document: string): PolicyFinding[] {
  let parsed: z.output<typeof PolicySchema>;
  try {
    parsed = PolicySchema.parse(JSON.parse(document));
  } catch {
    return [
      {
        effect: 'other',
        text: 'The bucket has a policy Signet could not read; check it is not public.',
      },
    ];
  }
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
  const findings: PolicyFinding[] = [];
  for (const st of statements) {
    if ((st.Effect ?? '').toLowerCase() !== 'allow' || !isEveryone(st.Principal)) continue;
    const conditionKeys = Object.values(st.Condition ?? {}).flatMap((block) => Object.keys(block));
    if (conditionKeys.some((k) => RESTRICTING_KEYS.has(k.toLowerCase()))) continue;
    const actions = list(st.Action).map((a) => a.toLowerCase());
    const weak = conditionKeys.length
      ? ` (its only conditions, ${conditionKeys.join(', ')}, do not stop strangers)`
      : '';
    if (actions.some((a) => matches(a, 's3:getobject'))) {
      const prefixes = objectPrefixes(st.Resource);
      findings.push({
        effect: 'read-objects',
        text: prefixes
          ? `The bucket policy lets everyone download the files under ${prefixes.map((p) => `“${p}”`).join(', ')}${weak}.`
          : `The bucket policy lets everyone download files${weak}.`,
        ...(prefixes ? { prefixes } : {}),
      });
    }
    if (actions.some((a) => matches(a, 's3:putobject') || matches(a, 's3:deleteobject'))) {
      findings.push({
        effect: 'write-objects',
        text: `The bucket policy lets everyone upload or delete files${weak}.`,
      });
    }
    if (actions.some((a) => matches(a, 's3:listbucket'))) {
      findings.push({
        effect: 'list-objects',
        text: `The bucket policy lets everyone list the files${weak}.`,
      });
    }
    if (
      !actions.some((a) =>
        ['s3:getobject', 's3:putobject', 's3:deleteobject', 's3:listbucket'].some((x) => matches(a, x)),
      )
    ) {
      findings.push({
        effect: 'other',
        text: `The bucket policy grants ${actions.join(', ') || 'actions'} to everyone${weak}.`,
      });
    }
  }
  return findings;
}

/**
 * The key prefixes a statement's object resources name, or null when one of them covers every file (`b/*`, `*`,
 * `arn:aws:s3:::*`) or the statement names none (then Signet cannot tell, and assumes all).
 */
function objectPrefixes(resource: string | string[] | undefined): string[] | null {
  const prefixes: string[] = [];
  for (const r of list(resource)) {
    const arn = r.replace(/^arn:aws:s3:::/i, '');
    const slash = arn.indexOf('/');
    if (slash < 0) {
      if (arn.includes('*')) return null; // `*` or `arn:aws:s3:::*`: every bucket and object
      continue; // the bucket itself (ListBucket's resource), not its files
    }
    const objectPart = arn.slice(slash + 1);
    const star = objectPart.indexOf('*');
    const prefix = star < 0 ? objectPart : objectPart.slice(0, star);
    if (prefix === '' || arn.slice(0, slash).includes('*')) return null;
    prefixes.push(prefix);
  }
  return prefixes.length ? prefixes : null;
}

function isEveryone(principal: z.output<typeof StatementSchema>['Principal']): boolean {
  if (principal === undefined) return false;
  if (typeof principal === 'string') return principal === '*';
  return Object.values(principal).some((v) => list(v).includes('*'));
}

/** IAM action patterns: `s3:*`, `s3:Get*`, `*`. */
function matches(pattern: string, action: string): boolean {
  if (pattern === '*' || pattern === action) return true;
  if (!pattern.includes('*')) return false;
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return re.test(action);
}

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
