import type Database from 'better-sqlite3';
import { m001Settings } from './001-settings';
import { m002Activity } from './002-activity';
import { m003Accounts } from './003-accounts';
import { m004Library } from './004-library';
import { m005Links } from './005-links';
import { m006Jobs } from './006-jobs';
import { m007SearchIndex } from './007-search-index';
import { m008VerifierStore } from './008-verifier-store';
import { m009SearchIndexBulk } from './009-search-index-bulk';
import { m010JobItemMtime } from './010-job-item-mtime';
import { m011SearchTerms } from './011-search-terms';
import { m012LinkShareReplace } from './012-link-share-replace';
import { m013LinkStatusIndexes } from './013-link-status-indexes';
import { m014LinkSearch } from './014-link-search';
import { m015JobPlanned } from './015-job-planned';
import { m016ObjectSortIndexes } from './016-object-sort-indexes';
import { m017BucketTotals } from './017-bucket-totals';

export interface Migration {
  name: string;
  up(db: Database.Database): void;
}

/** Append only: the position in this list is the schema version (PRAGMA user_version). */
export const migrations: readonly Migration[] = [
  m001Settings,
  m002Activity,
  m003Accounts,
  m004Library,
  m005Links,
  m006Jobs,
  m007SearchIndex,
  m008VerifierStore,
  m009SearchIndexBulk,
  m010JobItemMtime,
  m011SearchTerms,
  m012LinkShareReplace,
  m013LinkStatusIndexes,
  m014LinkSearch,
  m015JobPlanned,
  m016ObjectSortIndexes,
  m017BucketTotals,
];
