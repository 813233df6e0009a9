//! CSV files as rows of relate fields. Columns map to fields by their header
//! (when it already uses relate's field names), by a preset, or by
//! `--map FIELD=COLUMN`; `--map FIELD=A+B` joins two columns.

use std::path::Path;
use std::str::FromStr;

use super::presets::Preset;
use crate::error::{Error, Problem, Result};

/// The fields an import accepts.
pub struct FieldSpec {
    /// The field names, in groups (a survey's answers, then a customer's fields).
    pub fields: &'static [&'static [&'static str]],
    /// Other names for fields, e.g. `email` for `emails`.
    pub aliases: &'static [(&'static str, &'static str)],
    /// Whether custom facts `fields.NAME` may be mapped (customers, surveys).
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
        let custom = name.strip_prefix("fields.").filter(|rest| !rest.is_empty());
        custom
            .filter(|_| self.custom)
            .map(|rest| format!("fields.{rest}"))
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
            names.push_str(", fields.NAME");
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
/// that names an unknown field or column is a usage error; rows that cannot be
/// read become problems at their line.
pub fn read_sheet(
    source: &Path,
    bytes: &[u8],
    spec: &FieldSpec,
    options: &CsvOptions,
) -> Result<Sheet> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record
            .iter()
            .map(|cell| {
                String::from_utf8_lossy(cell)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_string()
            })
            .collect(),
        Some(Err(e)) => return Err(Error::usage(format!("{}: {e}", source.display()))),
        None => {
            return Err(Error::usage(format!(
                "{} is empty: it needs a header line",
                source.display()
            )));
        }
    };
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
    fn bad_mappings_are_usage_errors() {
        let error = read("Name\nA\n", &["nmae=Name"]).unwrap_err();
        assert_eq!(error.exit_code(), 2);
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
