//! CSV files as rows of relate fields. Columns map to fields by their header
//! (when it already uses relate's field names), by a preset, or by
//! `--map FIELD=COLUMN`; `--map FIELD=A+B` joins two columns.

use std::path::Path;
use std::str::FromStr;

use super::presets::Preset;
use crate::error::{Error, Problem, Result};

/// The prefix of a column holding a customer's answer on marketing by a
/// channel: `consent.email`.
pub const CONSENT_PREFIX: &str = "consent.";

/// The fields an import accepts.
pub struct FieldSpec {
    /// The field names, in groups (a survey's answers, then a customer's fields).
    pub fields: &'static [&'static [&'static str]],
    /// Other names for fields, e.g. `email` for `emails`.
    pub aliases: &'static [(&'static str, &'static str)],
    /// Whether a customer's own columns may be mapped: custom facts
    /// `fields.NAME` and consent `consent.CHANNEL` (customers, surveys).
    pub custom: bool,
    /// Fields holding lists: their items are separated by `;` (or `,`).
    pub lists: &'static [&'static str],
    /// Free-text fields whose cells are kept as the file gives them (line breaks,
    /// indentation, a final newline), so an export re-imports unchanged; the
    /// cells of other fields are trimmed.
    pub verbatim: &'static [&'static str],
}

impl FieldSpec {
    /// The field `name` stands for, if the import accepts it.
    pub fn field(&self, name: &str) -> Option<String> {
        let name = name.trim();
        let name = self
            .aliases
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
            .map_or(name, |(_, field)| field);
        if let Some(field) = self.names_iter().find(|f| f.eq_ignore_ascii_case(name)) {
            return Some(field.to_string());
        }
        ["fields.", CONSENT_PREFIX].into_iter().find_map(|prefix| {
            let rest = name.strip_prefix(prefix).filter(|rest| !rest.is_empty());
            rest.filter(|_| self.custom)
                .map(|rest| format!("{prefix}{rest}"))
        })
    }

    pub fn is_list(&self, field: &str) -> bool {
        self.lists.contains(&field)
    }

    fn names_iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().flat_map(|group| group.iter().copied())
    }

    fn names(&self) -> String {
        let mut names = self.names_iter().collect::<Vec<_>>().join(", ");
        if self.custom {
            names.push_str(", fields.NAME, consent.CHANNEL");
        }
        names
    }
}

/// `--map FIELD=COLUMN`: take FIELD from COLUMN (an empty COLUMN drops the field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub field: String,
    pub column: String,
}

impl FromStr for ColumnMap {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (field, column) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not FIELD=COLUMN"))?;
        if field.trim().is_empty() {
            return Err(format!("`{text}` names no field"));
        }
        Ok(ColumnMap {
            field: field.trim().to_string(),
            column: column.trim().to_string(),
        })
    }
}

/// One data row: the non-empty values of the mapped fields, and of the other columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line the row starts on (the header is line 1).
    pub line: usize,
    pub values: Vec<(String, String)>,
    /// Columns mapped to no field: header and value.
    pub others: Vec<(String, String)>,
}

impl Row {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }
}

/// A CSV file read as rows.
#[derive(Debug)]
pub struct Sheet {
    pub rows: Vec<Row>,
    /// Rows that could not be read at all.
    pub problems: Vec<Problem>,
    /// The fields that have a column.
    pub mapped: Vec<String>,
    /// Columns used for no field.
    pub ignored: Vec<String>,
}

impl Sheet {
    pub fn has(&self, field: &str) -> bool {
        self.mapped.iter().any(|f| f == field)
    }
}

/// How to read a CSV file.
pub struct CsvOptions<'a> {
    pub delimiter: u8,
    pub preset: Option<&'a Preset>,
    pub maps: &'a [ColumnMap],
}

/// Reads `bytes` (the file `source`) as rows of the fields in `spec`. A mapping
/// that names an unknown field or column is a usage error. A file that cannot
/// be read as a table (empty, a quote never closed, a column named twice, a
/// header that is not text) is invalid data; rows that cannot be read (a NUL
/// byte, more cells than columns, not UTF-8) become problems at their line.
pub fn read_sheet(
    source: &Path,
    bytes: &[u8],
    spec: &FieldSpec,
    options: &CsvOptions,
) -> Result<Sheet> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let unreadable = |line: Option<usize>, message: &str, hint: &str| {
        Error::invalid(vec![Problem::new(source, line, message)])
            .with_hint(format!("nothing was imported: {hint}"))
    };
    if let Some(line) = unclosed_quote(bytes, options.delimiter) {
        return Err(unreadable(
            Some(line),
            "the quote opened on this line is never closed",
            "a cell holding a line break, the delimiter or a `\"` is quoted, with each `\"` in it written twice",
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header_hint = "the first line of the file names its columns";
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) if record.iter().any(|cell| cell.contains(&0)) => {
            return Err(unreadable(Some(1), NUL_BYTE, "save the file as UTF-8 text"));
        }
        Some(Ok(record)) => record
            .iter()
            .map(|cell| String::from_utf8_lossy(cell).trim().to_string())
            .collect(),
        Some(Err(e)) => return Err(unreadable(Some(1), &e.to_string(), header_hint)),
        None => {
            return Err(unreadable(
                None,
                "the file is empty: it needs a header line",
                header_hint,
            ));
        }
    };
    if let Some(message) = repeated_column(&header) {
        return Err(unreadable(
            Some(1),
            &message,
            "each column needs its own name, or the values of one would be lost",
        ));
    }
    let mapping = map_columns(source, &header, spec, options)?;
    let used: Vec<usize> = mapping.iter().flat_map(|(_, cols)| cols.clone()).collect();
    let mut sheet = Sheet {
        rows: Vec::new(),
        problems: Vec::new(),
        mapped: mapping.iter().map(|(field, _)| field.clone()).collect(),
        ignored: (0..header.len())
            .filter(|i| !used.contains(i) && !header[*i].is_empty())
            .map(|i| header[i].clone())
            .collect(),
    };
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize);
                sheet
                    .problems
                    .push(Problem::new(source, line, e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if let Some(message) = misshapen(&record, header.len(), options.delimiter) {
            sheet
                .problems
                .push(Problem::new(source, Some(line), message));
            continue;
        }
        let mut cells = Vec::with_capacity(record.len());
        let mut unreadable = false;
        for cell in record.iter() {
            match std::str::from_utf8(cell) {
                Ok(text) => cells.push(text),
                Err(_) => {
                    unreadable = true;
                    break;
                }
            }
        }
        if unreadable {
            sheet.problems.push(Problem::new(
                source,
                Some(line),
                "the row is not UTF-8 text: save the file as UTF-8",
            ));
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        sheet
            .rows
            .push(make_row(line, &cells, &header, &mapping, spec, options));
    }
    Ok(sheet)
}

const NUL_BYTE: &str =
    "the row holds a NUL byte: the file is not text (or is UTF-16: save it as UTF-8)";

/// What keeps a data row from being read as the header's columns: a NUL byte
/// (record files refuse them too), or non-empty cells past the last column,
/// which a missing quote leaves and which would otherwise be dropped.
fn misshapen(record: &csv::ByteRecord, columns: usize, delimiter: u8) -> Option<String> {
    if record.iter().any(|cell| cell.contains(&0)) {
        return Some(NUL_BYTE.to_string());
    }
    let cells = record
        .iter()
        .rposition(|cell| !cell.trim_ascii().is_empty())?
        + 1;
    (cells > columns).then(|| {
        let delimiter = match delimiter {
            b'\t' => "tab".to_string(),
            other => format!("`{}`", other as char),
        };
        format!(
            "the row has {cells} cells but the header has {columns} columns: quote a cell that holds a {delimiter}"
        )
    })
}

/// Two columns of one name (compared without case, as mappings compare
/// them): only one of them could be read.
fn repeated_column(header: &[String]) -> Option<String> {
    header.iter().enumerate().find_map(|(second, name)| {
        let first = header[..second]
            .iter()
            .position(|other| !name.is_empty() && other.eq_ignore_ascii_case(name))?;
        Some(format!(
            "the columns `{}` ({}) and `{name}` ({}) have one name: rename one",
            header[first],
            first + 1,
            second + 1
        ))
    })
}

/// The line of a quoted cell that runs to the end of the file. The csv
/// reader takes such a cell whole, swallowing the rows after it, so it is
/// looked for first. A quote opens a cell only at its start, as the reader
/// reads it; inside one, `""` is a quote.
fn unclosed_quote(bytes: &[u8], delimiter: u8) -> Option<usize> {
    enum At {
        CellStart,
        Unquoted,
        Quoted { since: usize },
        QuoteInQuoted { since: usize },
    }
    let mut at = At::CellStart;
    let mut line = 1;
    for &byte in bytes {
        let ends_cell = byte == delimiter || byte == b'\n' || byte == b'\r';
        at = match at {
            At::CellStart if byte == b'"' => At::Quoted { since: line },
            At::CellStart | At::Unquoted if ends_cell => At::CellStart,
            At::CellStart | At::Unquoted => At::Unquoted,
            At::Quoted { since } if byte == b'"' => At::QuoteInQuoted { since },
            quoted @ At::Quoted { .. } => quoted,
            At::QuoteInQuoted { since } if byte == b'"' => At::Quoted { since },
            At::QuoteInQuoted { .. } if ends_cell => At::CellStart,
            At::QuoteInQuoted { .. } => At::Unquoted,
        };
        if byte == b'\n' {
            line += 1;
        }
    }
    match at {
        At::Quoted { since } => Some(since),
        _ => None,
    }
}

fn make_row(
    line: usize,
    cells: &[&str],
    header: &[String],
    mapping: &[(String, Vec<usize>)],
    spec: &FieldSpec,
    options: &CsvOptions,
) -> Row {
    let raw = |i: usize| cells.get(i).copied().unwrap_or("");
    let cell = |i: usize| raw(i).trim();
    let mut values = Vec::with_capacity(mapping.len());
    for (field, columns) in mapping {
        let separator = if spec.is_list(field) { ";" } else { " " };
        let verbatim = spec.verbatim.contains(&field.as_str());
        let joined = columns
            .iter()
            .filter(|&&i| !cell(i).is_empty())
            .map(|&i| if verbatim { raw(i) } else { cell(i) })
            .collect::<Vec<_>>()
            .join(separator);
        let value = match options.preset {
            Some(preset) => preset.translate(field, &joined),
            None => joined,
        };
        if !value.is_empty() {
            values.push((field.clone(), value));
        }
    }
    let used = |i: usize| mapping.iter().any(|(_, cols)| cols.contains(&i));
    let others = (0..header.len())
        .filter(|&i| !used(i) && !cell(i).is_empty() && !header[i].is_empty())
        .map(|i| (header[i].clone(), cell(i).to_string()))
        .collect();
    Row {
        line,
        values,
        others,
    }
}

/// The column(s) of each mapped field: the preset's, then `--map`, then header
/// names that are field names.
fn map_columns(
    source: &Path,
    header: &[String],
    spec: &FieldSpec,
    options: &CsvOptions,
) -> Result<Vec<(String, Vec<usize>)>> {
    let mut mapping: Vec<(String, Vec<usize>)> = Vec::new();
    if let Some(preset) = options.preset {
        for (field, candidates) in preset.columns {
            if let Some(columns) = candidates.iter().find_map(|c| find_columns(header, c)) {
                mapping.push((field.to_string(), columns));
            }
        }
    }
    for map in options.maps {
        let field = spec.field(&map.field).ok_or_else(|| {
            Error::usage(format!("--map: unknown field `{}`", map.field))
                .with_hint(format!("the fields are: {}", spec.names()))
        })?;
        mapping.retain(|(f, _)| *f != field);
        if map.column.is_empty() {
            continue;
        }
        let columns = find_columns(header, &map.column).ok_or_else(|| {
            Error::usage(format!(
                "--map {}: {} has no column `{}`",
                map.field,
                source.display(),
                map.column
            ))
            .with_hint(format!("its columns are: {}", header.join(", ")))
        })?;
        mapping.push((field, columns));
    }
    let dropped: Vec<String> = options
        .maps
        .iter()
        .filter(|m| m.column.is_empty())
        .filter_map(|m| spec.field(&m.field))
        .collect();
    for (i, name) in header.iter().enumerate() {
        let taken = |field: &str| {
            mapping
                .iter()
                .any(|(f, cols)| f == field || cols.contains(&i))
        };
        if let Some(field) = spec.field(name)
            && !taken(&field)
            && !dropped.contains(&field)
        {
            mapping.push((field, vec![i]));
        }
    }
    Ok(mapping)
}

/// The column named `spec` (compared without case), or the columns `A+B+...`.
fn find_columns(header: &[String], spec: &str) -> Option<Vec<usize>> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name.trim()))
    };
    if let Some(i) = find(spec) {
        return Some(vec![i]);
    }
    let parts: Option<Vec<usize>> = spec.split('+').map(find).collect();
    parts.filter(|p| p.len() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: FieldSpec = FieldSpec {
        fields: &[&["name", "emails", "phones", "created", "notes"]],
        aliases: &[("email", "emails")],
        custom: true,
        lists: &["emails", "phones"],
        verbatim: &["notes"],
    };

    fn read(text: &str, maps: &[&str]) -> Result<Sheet> {
        let maps: Vec<ColumnMap> = maps.iter().map(|m| m.parse().unwrap()).collect();
        let options = CsvOptions {
            delimiter: b',',
            preset: None,
            maps: &maps,
        };
        read_sheet(Path::new("in.csv"), text.as_bytes(), &SPEC, &options)
    }

    #[test]
    fn header_names_map_themselves_and_maps_override() {
        let sheet = read(
            "\u{feff}Name,Email,Mobile,Office,Shoe size\n\"Lima, Ana\",ana@x.example,1,2,38\n\n,,,,\n",
            &["phones=Mobile+Office", "fields.shoe=Shoe size"],
        )
        .unwrap();
        assert_eq!(sheet.rows.len(), 1, "blank rows are skipped");
        let row = &sheet.rows[0];
        assert_eq!(row.line, 2);
        assert_eq!(row.get("name"), Some("Lima, Ana"));
        assert_eq!(row.get("emails"), Some("ana@x.example"));
        assert_eq!(row.get("phones"), Some("1;2"));
        assert_eq!(row.get("fields.shoe"), Some("38"));
        assert!(sheet.ignored.is_empty());
    }

    #[test]
    fn lines_count_quoted_newlines_and_unmapped_columns_are_kept_aside() {
        let sheet = read("name,note\n\"A\nB\",x\nC,y\n", &[]).unwrap();
        assert_eq!(sheet.rows[1].line, 4);
        assert_eq!(sheet.rows[1].others, [("note".into(), "y".into())]);
        assert_eq!(sheet.ignored, ["note"]);
    }

    #[test]
    fn free_text_keeps_its_spaces_and_newlines_and_the_rest_is_trimmed() {
        let sheet = read(
            "name,notes\n  Ana  ,\"  Line one\n  - two\n\"\nBea,\"  \n\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(sheet.rows[0].get("name"), Some("Ana"));
        assert_eq!(sheet.rows[0].get("notes"), Some("  Line one\n  - two\n"));
        assert_eq!(sheet.rows[1].get("notes"), None, "blank text is empty");
    }

    #[test]
    fn quotes_left_open_are_found_where_they_open() {
        assert_eq!(unclosed_quote(b"a,b\n\"x,y\nz\n", b','), Some(2));
        assert_eq!(unclosed_quote(b"a\n\"x\n\"\"y\n", b','), Some(2));
        assert_eq!(
            unclosed_quote(b"a\n\"x\ny\"\n5\" tall,\"q\"\"\"\n", b','),
            None
        );
        assert_eq!(unclosed_quote(b"a;\"b;c\"\"\r\n", b';'), Some(1));
        assert_eq!(unclosed_quote(b"", b','), None);
    }

    #[test]
    fn repeated_and_blank_column_names() {
        let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(repeated_column(&names(&["a", "", "", "b"])), None);
        assert_eq!(
            repeated_column(&names(&["Email", "name", "EMAIL"])).unwrap(),
            "the columns `Email` (1) and `EMAIL` (3) have one name: rename one"
        );
    }

    #[test]
    fn bad_mappings_are_usage_errors() {
        let error = read("Name\nA\n", &["nmae=Name"]).unwrap_err();
        assert!(matches!(error, Error::Usage { .. }), "{error:?}");
        assert!(error.to_string().contains("unknown field `nmae`"));
        let error = read("Name\nA\n", &["name=Full name"]).unwrap_err();
        assert!(error.hint().unwrap().contains("its columns are: Name"));
        let sheet = read("name,email\nA,a@x\n", &["emails="]).unwrap();
        assert_eq!(
            sheet.rows[0].get("emails"),
            None,
            "an empty column drops a field"
        );
    }
}
