/**
 * The one CSV writer for everything Signet saves as CSV (the batch of links, any export). Browser-safe, so the
 * window would write the same bytes as main.
 */

/**
 * A cell a spreadsheet would take for a formula: `=`, `+`, `-`, `@`, tab or CR first (OWASP's list). An order
 * id such as `=HYPERLINK("http://evil", "Click")` from a shop's export must stay text when the owner opens the
 * result, so such a cell gets a leading `'`: spreadsheets show it as text, and the value stays readable.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function safeCsvCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * RFC 4180 CSV with every cell through safeCsvCell: a cell is quoted when it holds a comma, quote, CR or LF (or
 * starts or ends with a space or tab). Lines end with LF.
 */
export function toCsv(rows: readonly (readonly string[])[]): string {
  let out = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const f = safeCsvCell(row[i]!);
      if (i > 0) out += ',';
      out += /[",\r\n]|^[ \t]|[ \t]$/.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
    }
    out += '\n';
  }
  return out;
}
