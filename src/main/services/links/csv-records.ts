import { parse, type Options } from 'csv-parse';
import { nextTurn } from '../../lib/next-turn';

/** Bytes handed to the parser at a time; between two, the event loop answers the window. */
const CHUNK_BYTES = 16 * 1024;

const OPTIONS: Options = { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false };

/**
 * The records of a CSV text (the header is one), parsed with csv-parse's streaming API a chunk at a time, the
 * event loop free between chunks: main parses what the window sends, and must keep answering it meanwhile.
 * Parsing stops at the first record past `maxRecords` and answers null, so a file of a million rows is refused
 * after its first `maxRecords + 1`, not after all of them. A CSV that cannot be parsed rejects with csv-parse's
 * error.
 */
export async function readCsvRecords(text: string, maxRecords: number): Promise<string[][] | null> {
  const parser = parse(OPTIONS);
  const records: string[][] = [];
  const seen = { over: false, failure: null as Error | null };
  parser.on('data', (record: string[]) => {
    if (records.length === maxRecords) seen.over = true;
    else records.push(record);
  });
  parser.on('error', (err: Error) => (seen.failure = err));
  const ended = new Promise<void>((resolve) => {
    parser.once('end', resolve);
    parser.once('error', () => resolve());
  });

  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length && !seen.over && !seen.failure; at += CHUNK_BYTES) {
    parser.write(bytes.subarray(at, at + CHUNK_BYTES));
    // A macrotask turn, not a microtask: only then does main read the window's next message.
    await nextTurn();
  }
  if (!seen.over && !seen.failure) {
    parser.end();
    await ended;
  } else parser.destroy();
  if (seen.failure) throw seen.failure;
  return seen.over ? null : records;
}
