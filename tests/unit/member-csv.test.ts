import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MemberCsv, MemberCsvError, parseMemberCsv } from '../../shared/domain/member-csv';

/** The error a file must be rejected with. */
function rejection(text: string): MemberCsvError {
  try {
    parseMemberCsv(text);
  } catch (error) {
    expect(error).toBeInstanceOf(MemberCsvError);
    return error as MemberCsvError;
  }
  throw new Error('the file was accepted');
}

/** A cell as a spreadsheet writes it: quoted when it holds a comma, a quote or a line break. */
const cell = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

describe('Module: member-csv', () => {
  describe('Function: parseMemberCsv', () => {
    it('reads each known column and numbers rows by their line', () => {
      // Prepare
      const text = [
        'id,name,birthday,timezone,locale',
        'u1,Ada,12-10,Europe/London,en-GB',
        'u2,Bo,1990-03-14,Asia/Shanghai,zh-CN',
      ].join('\n');

      // Act
      const csv = parseMemberCsv(text);

      // Assess
      expect(csv).toEqual<MemberCsv>({
        rows: [
          { line: 2, id: 'u1', name: 'Ada', birthday: '12-10', timezone: 'Europe/London', locale: 'en-GB' },
          { line: 3, id: 'u2', name: 'Bo', birthday: '1990-03-14', timezone: 'Asia/Shanghai', locale: 'zh-CN' },
        ],
        ignoredColumns: [],
      });
    });

    it('reads a spreadsheet export: UTF-8 BOM, CRLF line endings, a trailing empty line', () => {
      // Prepare
      const text = '\uFEFFid,birthday\r\nu1,02-29\r\nu2,07-04\r\n\r\n';

      // Act
      const { rows } = parseMemberCsv(text);

      // Assess
      expect(rows).toEqual([
        { line: 2, id: 'u1', birthday: '02-29' },
        { line: 3, id: 'u2', birthday: '07-04' },
      ]);
    });

    it('reads quoted cells with commas, quotes and line breaks, and keeps counting lines after them', () => {
      // Prepare
      const text = 'id,name\r\nu1,"Lovelace, Ada ""the Countess"""\r\nu2,"two\r\nlines"\r\nu3,Cy,\r\nu4,"x",bad';

      // Act
      const error = rejection(text);

      // Assess: u4 (on line 6) has a value with no header; the lines before it are read as written.
      expect(error.message).toBe('line 6: has 3 cells, the header names 2 columns');
      expect(parseMemberCsv(text.slice(0, text.lastIndexOf('\r\n'))).rows).toEqual([
        { line: 2, id: 'u1', name: 'Lovelace, Ada "the Countess"' },
        { line: 3, id: 'u2', name: 'two\nlines' },
        { line: 5, id: 'u3', name: 'Cy' },
      ]);
    });

    it('takes header names in any case and order, and empty cells as not given', () => {
      // Prepare
      const text = 'Timezone, ID ,Birthday\nAmerica/New_York,u1,\n,u2,\n';

      // Act
      const { rows } = parseMemberCsv(text);

      // Assess
      expect(rows).toEqual([
        { line: 2, id: 'u1', timezone: 'America/New_York' },
        { line: 3, id: 'u2' },
      ]);
    });

    it('ignores columns it does not know, and names them', () => {
      // Prepare
      const text = 'id,Email,name,time zone,\nu1,ada@example.com,Ada,Europe/Paris,\n';

      // Act
      const csv = parseMemberCsv(text);

      // Assess
      expect(csv.rows).toEqual([{ line: 2, id: 'u1', name: 'Ada' }]);
      expect(csv.ignoredColumns).toEqual(['Email', 'time zone']);
    });

    it.each([
      ['a birthday in no known shape', 'u1,14/03,,', 'line 3, birthday: must be MM-DD or YYYY-MM-DD'],
      ['a day the month does not have', 'u1,02-30,,', 'line 3, birthday: is not a calendar date'],
      ['an unknown time zone', 'u1,,Mars/Olympus,', 'line 3, timezone: must be an IANA time zone'],
      ['a one-letter locale', 'u1,,,e', 'line 3, locale: Too small: expected string to have >=2 characters'],
      ['an id with a "#"', 'u#1,,,', 'line 3, id: must not contain "#", spaces or control characters'],
      ['a row with no id', ',03-14,,', 'line 3, id: is required'],
    ])('rejects %s, naming the line and column', (_, row, message) => {
      // Prepare
      const text = `id,birthday,timezone,locale\nu0,01-01,UTC,en\n${row}\n`;

      // Act
      const error = rejection(text);

      // Assess
      expect(error.message).toBe(message);
    });

    it('reports every bad row of the file, not only the first', () => {
      // Prepare
      const text = 'id,birthday,timezone\nu1,13-01,UTC\nu2,01-01,Nowhere\nu3,01-01,UTC\n';

      // Act
      const error = rejection(text);

      // Assess
      expect(error.issues).toEqual([
        'line 2, birthday: is not a calendar date',
        'line 3, timezone: must be an IANA time zone',
      ]);
    });

    it('rejects a duplicate id, naming both lines', () => {
      // Prepare
      const text = 'id,name\nu1,Ada\nu2,Bo\nu1,Ada again\n';

      // Act
      const error = rejection(text);

      // Assess
      expect(error.message).toBe('line 4, id: "u1" is already on line 2');
    });

    it.each([
      ['no "id" column', 'name,birthday\nAda,03-14\n', 'line 1: the header has no "id" column'],
      [
        'a column twice',
        'id,birthday,Birthday\nu1,,\n',
        'line 1, birthday: the column appears twice (columns 2 and 3)',
      ],
      ['an empty file', '', 'the file is empty: it needs a header row with an "id" column'],
      ['only a BOM and blank lines', '\uFEFF\r\n\r\n', 'the file is empty: it needs a header row with an "id" column'],
      ['a header and no rows', 'id,name\r\n', 'no data rows: the file has a header and no members'],
      ['a quote left open', 'id,name\nu0,Bo\n\nu1,"Ada\nu2,Cy\n', 'line 4: a quoted cell is not closed'],
      ['a quote inside a cell', 'id,name\nu1,A"da"\n', 'line 2: Invalid Opening Quote'],
    ])('rejects %s', (_, text, message) => {
      // Act
      const error = rejection(text);

      // Assess
      expect(error.message).toContain(message);
    });

    it('reads back any names it is given, with LF or CRLF, at the lines they were written on', () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 8 }),
          fc.array(fc.string({ unit: fc.constantFrom('a', ' b', ',', '"', '\n', '\r\n', 'é', '😀'), maxLength: 12 })),
          fc.constantFrom('\n', '\r\n'),
          (ids, names, eol) => {
            // Prepare
            const rows = ids.map((id, i) => ({ id, name: (names[i] ?? '').trim() }));
            const text = ['id,name', ...rows.map((r) => `${r.id},${cell(r.name)}`)].join(eol);

            // Act
            const parsed = parseMemberCsv(text).rows;

            // Assess: a name spans as many lines as it has line breaks; blank names are not given.
            let line = 2;
            const expected = rows.map(({ id, name }) => {
              const row = { line, id, ...(name ? { name: name.replaceAll('\r\n', '\n') } : {}) };
              line += 1 + (name.match(/\r\n|\n/g)?.length ?? 0);
              return row;
            });
            expect(parsed).toEqual(expected);
          },
        ),
      );
    });
  });
});
