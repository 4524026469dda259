import { CsvError, parse } from 'csv-parse/sync';
import { inboundEventSchema } from './events';
import { birthdaySchema, idSchema, timeZoneSchema } from './validation';
import * as z from './zod';

/**
 * The members spreadsheet an operator imports (`hearth members import`), as
 * CSV: a header row, then one member a row. Columns, in any order and any
 * case: `id` (required), `name`, `birthday` (MM-DD or YYYY-MM-DD), `timezone`
 * (IANA) and `locale`. A cell left empty says nothing about that field.
 * Spreadsheets carry columns of their own; those are ignored, and named back
 * so a misspelt header (`time zone`) does not pass unnoticed.
 *
 * The whole file is checked before anything is written: a half-imported
 * spreadsheet is harder to reason about than a rejected one. Every problem is
 * reported with its line (as an editor numbers it) and column.
 *
 * Pure: CLI-only (csv-parse never reaches a Lambda bundle).
 */

/** The columns Hearth reads. */
export const MEMBER_CSV_COLUMNS = ['id', 'name', 'birthday', 'timezone', 'locale'] as const;
type Column = (typeof MEMBER_CSV_COLUMNS)[number];

// The member schema's own rules for what it does not export: a spreadsheet may say what a platform may say.
const profileShape = inboundEventSchema.def.options[0].shape.member.shape;

// The time zone is checked on its own (`zoneIssue`): once per distinct zone rather than once per row.
const rowSchema = z.object({
  id: idSchema,
  name: profileShape.name,
  birthday: z.optional(birthdaySchema),
  locale: profileShape.locale,
});

/** One member row as validated, with the line it started on. */
export type MemberRow = z.infer<typeof rowSchema> & { timezone?: string; line: number };

/** A parsed members file. */
export interface MemberCsv {
  rows: MemberRow[];
  /** Header names Hearth does not read, as written. */
  ignoredColumns: string[];
}

/** How many problems the error message lists; `issues` has them all. */
const LISTED_ISSUES = 10;

/** A members file that cannot be imported; each issue names its line and column. */
export class MemberCsvError extends Error {
  override name = 'MemberCsvError';

  constructor(readonly issues: string[]) {
    const more = issues.length > LISTED_ISSUES ? `; and ${issues.length - LISTED_ISSUES} more` : '';
    super(issues.slice(0, LISTED_ISSUES).join('; ') + more);
  }
}

/** Parse and validate a members file; throws `MemberCsvError` naming every bad line and column. */
export function parseMemberCsv(text: string): MemberCsv {
  const records = readRecords(text);
  const header = records.find((r) => !isBlank(r.cells));
  if (!header) throw new MemberCsvError(['the file is empty: it needs a header row with an "id" column']);

  const { columns, ignoredColumns } = readHeader(header);
  const issues: string[] = [];
  const rows: MemberRow[] = [];
  const lineOfId = new Map<string, number>();
  // A zone check is an Intl lookup (some 50 µs); a file of 10,000 members names a few dozen zones.
  const zoneIssues = new Map<string, string | undefined>();
  const zoneIssue = (zone: string): string | undefined => {
    if (!zoneIssues.has(zone)) zoneIssues.set(zone, timeZoneSchema.safeParse(zone).error?.issues[0]?.message);
    return zoneIssues.get(zone);
  };
  for (const { line, cells } of records) {
    if (line <= header.line || isBlank(cells)) continue;
    // Trailing empty cells are common (a spreadsheet's stray formatting); a value with no header is not.
    if (cells.slice(header.cells.length).some((cell) => cell.trim() !== '')) {
      issues.push(`line ${line}: has ${cells.length} cells, the header names ${header.cells.length} columns`);
      continue;
    }
    const given: Partial<Record<Column, string>> = {};
    for (const [column, index] of columns) {
      const cell = cells[index]?.trim();
      if (cell) given[column] = cell;
    }
    if (given.id === undefined) {
      issues.push(`line ${line}, id: is required`);
      continue;
    }
    const { timezone, ...rest } = given;
    const parsed = rowSchema.safeParse(rest);
    // A cell can break more than one rule (`14/03` is neither shape nor date); its first says enough.
    const problems = new Map<string, string>();
    for (const issue of parsed.error?.issues ?? []) {
      const column = String(issue.path[0]);
      if (!problems.has(column)) problems.set(column, issue.message);
    }
    const zoneProblem = timezone === undefined ? undefined : zoneIssue(timezone);
    if (zoneProblem !== undefined) problems.set('timezone', zoneProblem);
    if (!parsed.success || problems.size) {
      for (const column of MEMBER_CSV_COLUMNS) {
        const problem = problems.get(column);
        if (problem !== undefined) issues.push(`line ${line}, ${column}: ${problem}`);
      }
      continue;
    }
    const earlier = lineOfId.get(parsed.data.id);
    if (earlier !== undefined) {
      issues.push(`line ${line}, id: "${parsed.data.id}" is already on line ${earlier}`);
      continue;
    }
    lineOfId.set(parsed.data.id, line);
    rows.push({ ...parsed.data, ...(timezone !== undefined ? { timezone } : {}), line });
  }
  if (issues.length) throw new MemberCsvError(issues);
  if (rows.length === 0) throw new MemberCsvError(['no data rows: the file has a header and no members']);
  return { rows, ignoredColumns };
}

interface CsvRecord {
  /** The line the record starts on, from 1. */
  line: number;
  cells: string[];
}

/** Every record, with the line it starts on; a CSV syntax error names its line. */
function readRecords(text: string): CsvRecord[] {
  // csv-parse counts a CRLF inside a quoted cell as two lines; with LF alone its count is an editor's.
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const starts: number[] = [];
  let lastLine = 0;
  try {
    const records = parse(normalized, {
      relax_column_count: true,
      record_delimiter: '\n',
      on_record: (cells, { lines }) => {
        lastLine = lines;
        // `lines` is where the record ends; a quoted cell may span lines.
        starts.push(lines - cells.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0));
        return cells;
      },
    });
    return records.map((cells, i) => ({ line: starts[i], cells }));
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // An unclosed quote is found at the end of the file; the record it opened follows the last one read.
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      const lines = normalized.split('\n');
      let line = lastLine + 1;
      while (line < lines.length && lines[line - 1].trim() === '') line++;
      throw new MemberCsvError([`line ${line}: a quoted cell is not closed (a " is missing)`]);
    }
    throw new MemberCsvError([`line ${String(error.lines)}: ${error.message}`]);
  }
}

/** Which cell holds each known column, and the header names that are not known. */
function readHeader(header: CsvRecord): { columns: Map<Column, number>; ignoredColumns: string[] } {
  const columns = new Map<Column, number>();
  const ignoredColumns: string[] = [];
  const issues: string[] = [];
  header.cells.forEach((cell, index) => {
    const name = cell.trim();
    const column = MEMBER_CSV_COLUMNS.find((known) => known === name.toLowerCase());
    if (column === undefined) {
      if (name) ignoredColumns.push(name);
      return;
    }
    const first = columns.get(column);
    if (first !== undefined) {
      issues.push(`line ${header.line}, ${column}: the column appears twice (columns ${first + 1} and ${index + 1})`);
      return;
    }
    columns.set(column, index);
  });
  if (!columns.has('id')) issues.push(`line ${header.line}: the header has no "id" column`);
  if (issues.length) throw new MemberCsvError(issues);
  return { columns, ignoredColumns };
}

const isBlank = (cells: string[]): boolean => cells.every((cell) => cell.trim() === '');
