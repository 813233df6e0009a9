//! Output formatting, in one place: rows of typed cells rendered as a terminal
//! table, JSON, CSV, Markdown or an html page (with charts: [`chart`]), and
//! records rendered as JSON.

pub mod chart;
pub mod html;
pub mod page;

pub use page::write_report;

use chrono::NaiveDate;
use comfy_table::{Attribute, Cell as TableCell, CellAlignment, ContentArrangement, presets};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

use crate::error::Error;
use crate::model::values::{Timestamp, format_timestamp};

keyword_enum! {
    /// How a command prints what it reports.
    Format "format" {
        Table => "table",
        Json => "json",
        Csv => "csv",
        Markdown => "markdown",
        Html => "html",
    }
}

/// How tables look on a terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Bold headers.
    pub color: bool,
    /// Wrap columns to fit this width (a terminal's); `None` never wraps.
    pub width: Option<u16>,
}

/// What a report's page starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub title: String,
    pub as_of: NaiveDate,
    /// The selection of customers, as the command line gave it
    /// (`segment vip · where region = "EU"`); `None` for every customer.
    pub filter: Option<String>,
    /// The currency of the page's money columns; `None` when it has none.
    pub currency: Option<String>,
}

impl Heading {
    /// `As of 2026-11-20 · amounts in EUR · where region = "EU"`.
    pub fn line(&self) -> String {
        let parts = [
            Some(format!("As of {}", self.as_of)),
            self.currency.as_ref().map(|c| format!("amounts in {c}")),
            self.filter.clone(),
        ];
        parts.into_iter().flatten().collect::<Vec<_>>().join(" · ")
    }
}

/// `text` safe inside html elements and quoted attributes: `&`, `<`, `>`, `"`
/// and `'` as entities, control characters as in [`printable`].
pub fn escape(text: &str) -> Cow<'_, str> {
    let text = printable(text);
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return text;
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    Cow::Owned(escaped)
}

/// `text` safe to print on a terminal: control characters other than newline
/// and tab (an escape sequence in an imported subject can set the window title
/// or clear the screen) are shown as `\u{1b}`-style escapes. For tables,
/// Markdown and plain text; CSV and JSON quote their values already.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// How a group of records without a value is labelled in tables.
pub const NO_VALUE: &str = "(none)";

/// One typed value in a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// An exact amount.
    Number(Decimal),
    /// An amount of money: two decimals, thousands separated in tables and
    /// Markdown (`12,345.60`), plain in CSV (`12345.60`), a number in JSON.
    Money(Decimal),
    /// A ratio or average: two decimals in tables, full precision in JSON and CSV;
    /// infinity prints as `inf` (JSON `null`).
    Float(f64),
    Date(NaiveDate),
    DateTime(Timestamp),
    List(Vec<String>),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    /// An amount of money, empty when there is none (an average over nothing).
    pub fn money(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Empty, Cell::Money)
    }

    /// The label of a group in a report's table: `(none)` for the records
    /// without a value, never a blank that reads as a missing cell.
    pub fn group(value: Option<&str>) -> Cell {
        Cell::text(value.unwrap_or(NO_VALUE))
    }

    /// The cell as shown in tables, Markdown and CSV.
    fn display(&self, precise: bool) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) if precise => text.clone(),
            Cell::Text(text) => printable(text).into_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Number(d) => d.normalize().to_string(),
            Cell::Money(d) if precise => format!("{:.2}", d.round_dp(2)),
            Cell::Money(d) => thousands(&format!("{:.2}", d.round_dp(2))),
            Cell::Float(f) if f.is_infinite() => if *f > 0.0 { "inf" } else { "-inf" }.into(),
            Cell::Float(f) if precise => f.to_string(),
            Cell::Float(f) => format!("{f:.2}"),
            Cell::Date(d) => d.to_string(),
            Cell::DateTime(t) => format_timestamp(t),
            Cell::List(items) if precise => items.join(";"),
            Cell::List(items) => printable(&items.join(", ")).into_owned(),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(
            self,
            Cell::Int(_) | Cell::Number(_) | Cell::Money(_) | Cell::Float(_)
        )
    }

    fn json(&self) -> Value {
        match self {
            Cell::Empty => Value::Null,
            Cell::Text(text) => Value::String(text.clone()),
            Cell::Int(n) => Value::from(*n),
            Cell::Number(d) | Cell::Money(d) => decimal_json(*d),
            Cell::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Cell::Date(_) | Cell::DateTime(_) => Value::String(self.display(true)),
            Cell::List(items) => Value::from(items.clone()),
        }
    }
}

/// `-12345.60` as `-12,345.60`.
fn thousands(plain: &str) -> String {
    let (sign, digits) = plain.split_at(usize::from(plain.starts_with('-')));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let point = if fraction.is_empty() { "" } else { "." };
    format!("{sign}{grouped}{point}{fraction}")
}

/// How narrow a free-text column may be cut before a table turns into blocks.
const NARROWEST_FREE_TEXT: usize = 10;

/// Column widths (two spaces apart) within `limit`: the natural `widths`, or
/// with the free-text columns cut, widest first, down to
/// [`NARROWEST_FREE_TEXT`]; `None` when even that is too wide.
fn fit_widths(mut widths: Vec<usize>, free_text: &[bool], limit: usize) -> Option<Vec<usize>> {
    let total =
        |widths: &[usize]| widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    let mut excess = total(&widths).saturating_sub(limit);
    while excess > 0 {
        let widest = (0..widths.len())
            .filter(|&i| free_text[i] && widths[i] > NARROWEST_FREE_TEXT)
            .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)))?;
        // Down to the next widest column's width at once, not one by one.
        let next = (0..widths.len())
            .filter(|&i| i != widest && free_text[i])
            .map(|i| widths[i])
            .filter(|&w| w < widths[widest])
            .max()
            .unwrap_or(0)
            .max(NARROWEST_FREE_TEXT);
        let cut = (widths[widest] - next).min(excess).max(1);
        widths[widest] -= cut;
        excess -= cut;
    }
    Some(widths)
}

/// `text` within `width` columns, its end replaced by `…` when it is longer.
fn cut_to(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + 1 > width {
            break;
        }
        cut.push(c);
    }
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    Cow::Owned(cut)
}

impl From<Option<String>> for Cell {
    fn from(value: Option<String>) -> Cell {
        value.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<Option<&str>> for Cell {
    fn from(value: Option<&str>) -> Cell {
        value.map_or(Cell::Empty, Cell::text)
    }
}

impl From<Option<Decimal>> for Cell {
    fn from(value: Option<Decimal>) -> Cell {
        value.map_or(Cell::Empty, Cell::Number)
    }
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Cell {
        value.map_or(Cell::Empty, Cell::Float)
    }
}

impl From<Option<i64>> for Cell {
    fn from(value: Option<i64>) -> Cell {
        value.map_or(Cell::Empty, Cell::Int)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(value: Option<NaiveDate>) -> Cell {
        value.map_or(Cell::Empty, Cell::Date)
    }
}

/// An exact decimal as a JSON number, the same way record files write it.
pub fn decimal_json(value: Decimal) -> Value {
    #[derive(Serialize)]
    struct Wrapped(#[serde(with = "crate::model::values::decimal")] Decimal);
    serde_json::to_value(Wrapped(value)).expect("decimals serialize")
}

/// Rows under named columns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Whether a cell of the table is money.
    pub fn has_money(&self) -> bool {
        (self.rows.iter().flatten()).any(|cell| matches!(cell, Cell::Money(_)))
    }

    pub fn new(columns: &[&str]) -> Table {
        Table {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width");
        self.rows.push(row);
    }

    /// The table with only the columns `names`, in that order (`--columns`).
    pub fn select(self, names: &[String]) -> Result<Table, Error> {
        let indexes = (names.iter())
            .map(|name| {
                self.columns.iter().position(|c| c == name).ok_or_else(|| {
                    Error::usage(format!("there is no column `{name}` here"))
                        .with_hint(format!("the columns are: {}", self.columns.join(", ")))
                })
            })
            .collect::<Result<Vec<usize>, Error>>()?;
        let pick = |row: &[Cell]| indexes.iter().map(|&i| row[i].clone()).collect();
        Ok(Table {
            columns: names.to_vec(),
            rows: self.rows.iter().map(|row| pick(row)).collect(),
        })
    }

    /// The rows as JSON objects keyed by column.
    pub fn json_rows(&self) -> Vec<Value> {
        self.rows
            .iter()
            .map(|row| {
                let object: Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(column, cell)| (column.clone(), cell.json()))
                    .collect();
                Value::Object(object)
            })
            .collect()
    }

    /// Writes the table in `format`.
    pub fn write(&self, out: &mut dyn Write, format: Format, style: Style) -> io::Result<()> {
        match format {
            Format::Table => self.write_terminal(out, style),
            Format::Json => write_json(out, &self.json_rows()),
            Format::Csv => self.write_csv(out),
            Format::Markdown => self.write_markdown(out),
            Format::Html => html::write_table_page(out, self),
        }
    }

    fn write_terminal(&self, out: &mut dyn Write, style: Style) -> io::Result<()> {
        // One line per row, newlines in values folded: rows stay greppable.
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|c| c.display(false).replace('\n', " "))
                    .collect()
            })
            .collect();
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.width()).collect();
        for row in &rows {
            for (width, text) in widths.iter_mut().zip(row) {
                *width = (*width).max(text.width());
            }
        }
        let widths = match style.width {
            None => Some(widths),
            Some(limit) => fit_widths(widths, &self.free_text_columns(), usize::from(limit)),
        };
        match widths {
            Some(widths) => self.write_columns(out, &rows, &widths, style.color),
            None => self.write_blocks(out, &rows, style.color),
        }
    }

    /// The columns that may be cut short with `…` to fit a terminal: text
    /// with spaces in it (names, subjects, summaries, lists). Numbers, dates,
    /// ids and e-mail addresses have none and are never cut.
    fn free_text_columns(&self) -> Vec<bool> {
        (0..self.columns.len())
            .map(|i| {
                self.rows.iter().any(|row| match &row[i] {
                    Cell::Text(text) => text.contains(char::is_whitespace),
                    Cell::List(items) => items.len() > 1,
                    _ => false,
                })
            })
            .collect()
    }

    /// The rows in columns of `widths` (comfy-table lays them out), numbers to
    /// the right, a text longer than its column cut with `…`.
    fn write_columns(
        &self,
        out: &mut dyn Write,
        rows: &[Vec<String>],
        widths: &[usize],
        color: bool,
    ) -> io::Result<()> {
        let mut table = comfy_table::Table::new();
        table.load_preset(presets::NOTHING);
        table.set_content_arrangement(ContentArrangement::Disabled);
        if color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(self.columns.iter().zip(widths).map(|(name, width)| {
            let cell = TableCell::new(cut_to(name, *width));
            if color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
        for (row, texts) in self.rows.iter().zip(rows) {
            table.add_row(
                row.iter()
                    .zip(texts)
                    .zip(widths)
                    .map(|((cell, text), width)| {
                        let shown = TableCell::new(cut_to(text, *width));
                        if cell.is_numeric() {
                            shown.set_alignment(CellAlignment::Right)
                        } else {
                            shown
                        }
                    }),
            );
        }
        for column in table.column_iter_mut() {
            column.set_padding((0, 2));
        }
        for line in table.lines() {
            // comfy-table pads its borderless rows; trailing blanks only get in the way.
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// A table too wide for the terminal even with its free text cut: one
    /// block of `column: value` lines per row, as `psql \x` prints, every
    /// value whole.
    fn write_blocks(
        &self,
        out: &mut dyn Write,
        rows: &[Vec<String>],
        color: bool,
    ) -> io::Result<()> {
        let name_width = self.columns.iter().map(|c| c.width()).max().unwrap_or(0);
        for (n, row) in rows.iter().enumerate() {
            if n > 0 {
                writeln!(out)?;
            }
            for (name, text) in self.columns.iter().zip(row) {
                let pad = " ".repeat(name_width - name.width());
                let line = if color {
                    format!("\x1b[1m{name}:\x1b[0m{pad} {text}")
                } else {
                    format!("{name}:{pad} {text}")
                };
                writeln!(out, "{}", line.trim_end())?;
            }
        }
        Ok(())
    }

    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(&self.columns).map_err(csv_io)?;
        for row in &self.rows {
            writer
                .write_record(row.iter().map(|cell| cell.display(true)))
                .map_err(csv_io)?;
        }
        writer.flush()
    }

    fn write_markdown(&self, out: &mut dyn Write) -> io::Result<()> {
        let escape = |text: String| text.replace('|', "\\|").replace('\n', " ");
        writeln!(out, "| {} |", self.columns.join(" | "))?;
        let rules: Vec<&str> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let numeric = self.rows.iter().any(|row| row[i].is_numeric());
                if numeric { "---:" } else { "---" }
            })
            .collect();
        writeln!(out, "| {} |", rules.join(" | "))?;
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| escape(c.display(false))).collect();
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        Ok(())
    }
}

/// The I/O error inside a CSV error, as it was: the csv crate's own conversion
/// hides its kind (a closed pipe must stay `BrokenPipe`, which is no failure).
fn csv_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        // Rows of unequal width or the like: a bug in the table, not in the output.
        other => io::Error::other(format!("cannot write CSV: {other:?}")),
    }
}

/// A titled table, one part of a report.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// How `--section` names it.
    pub name: &'static str,
    pub title: String,
    pub table: Table,
    /// Headline figures (rows of a label, a value and notes): an html page
    /// shows them as cards above its charts, other formats as a table.
    pub headline: bool,
}

impl Section {
    pub fn new(name: &'static str, title: impl Into<String>, table: Table) -> Section {
        Section {
            name,
            title: title.into(),
            table,
            headline: false,
        }
    }

    /// A section of headline figures: a row each, its first cell the label,
    /// its second the value, the others notes under it.
    pub fn headline(name: &'static str, title: impl Into<String>, table: Table) -> Section {
        Section {
            headline: true,
            ..Section::new(name, title, table)
        }
    }
}

/// Writes sections in a tabular `format`: each under its title (a Markdown
/// heading), separated by blank lines; a lone section without its title. CSV
/// has no room for titles or several tables: it gets the first section only.
pub fn write_sections(
    out: &mut dyn Write,
    sections: &[Section],
    format: Format,
    style: Style,
) -> io::Result<()> {
    if format == Format::Html {
        return html::write_page(out, None, &[], sections);
    }
    if format == Format::Csv || sections.len() == 1 {
        return match sections.first() {
            Some(section) => section.table.write(out, format, style),
            None => Ok(()),
        };
    }
    for (i, section) in sections.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        match format {
            Format::Markdown => writeln!(out, "## {}\n", section.title)?,
            _ => writeln!(out, "{}:", section.title)?,
        }
        section.table.write(out, format, style)?;
    }
    Ok(())
}

/// Pretty JSON followed by a newline.
pub fn write_json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

keyword_enum! {
    /// How `relate export` writes records.
    ExportFormat "export format" {
        Csv => "csv",
        Json => "json",
        Jsonl => "jsonl",
    }
}

/// Records for `relate export`: the rows of `table` as CSV, JSON (an array of
/// whole records) or JSON Lines (one whole record per line).
/// `progress` hears how many records each step wrote.
pub fn write_records<T: Serialize>(
    out: &mut dyn Write,
    format: ExportFormat,
    records: &[T],
    table: impl Fn(&[T]) -> Table,
    progress: &dyn Fn(u64),
) -> io::Result<()> {
    match format {
        ExportFormat::Json if records.is_empty() => writeln!(out, "[]"),
        ExportFormat::Json => {
            // The same text as `write_json` of the whole list, one record at a time.
            writeln!(out, "[")?;
            for (i, record) in records.iter().enumerate() {
                let text = serde_json::to_string_pretty(record)?;
                for (n, line) in text.lines().enumerate() {
                    if n > 0 {
                        writeln!(out)?;
                    }
                    write!(out, "  {line}")?;
                }
                writeln!(out, "{}", if i + 1 < records.len() { "," } else { "" })?;
                progress(1);
            }
            writeln!(out, "]")
        }
        ExportFormat::Jsonl => {
            for record in records {
                serde_json::to_writer(&mut *out, record)?;
                writeln!(out)?;
                progress(1);
            }
            Ok(())
        }
        ExportFormat::Csv => {
            table(records).write_csv(out)?;
            progress(records.len() as u64);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn select_keeps_the_named_columns_in_order_and_names_the_others() {
        let mut table = Table::new(&["id", "name", "total"]);
        table.push(vec![Cell::text("a"), Cell::text("Ann"), Cell::Int(3)]);
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let chosen = table.clone().select(&names(&["total", "id"])).unwrap();
        assert_eq!(chosen.columns, ["total", "id"]);
        assert_eq!(chosen.rows, [vec![Cell::Int(3), Cell::text("a")]]);
        let error = table.select(&names(&["nmae"])).unwrap_err();
        assert_eq!(error.to_string(), "there is no column `nmae` here");
        assert_eq!(error.hint(), Some("the columns are: id, name, total"));
    }

    #[test]
    fn money_has_two_decimals_and_thousands_only_for_people() {
        let money = |text: &str| Cell::Money(Decimal::from_str(text).unwrap());
        assert_eq!(money("1234567.899").display(false), "1,234,567.90");
        assert_eq!(money("-12345.6").display(false), "-12,345.60");
        assert_eq!(money("999").display(false), "999.00");
        assert_eq!(money("0.5").display(false), "0.50");
        assert_eq!(money("1234567.899").display(true), "1234567.90");
        assert_eq!(money("1234.5").json(), serde_json::json!(1234.5));
    }

    fn sample() -> Table {
        let mut table = Table::new(&["name", "amount", "tags"]);
        table.push(vec![
            Cell::text("Acme, Inc"),
            Cell::Number(Decimal::from_str("19.90").unwrap()),
            Cell::List(vec!["a".into(), "b".into()]),
        ]);
        table.push(vec![
            Cell::Empty,
            Cell::Float(f64::INFINITY),
            Cell::List(vec![]),
        ]);
        table
    }

    fn render(format: Format) -> String {
        let mut out = Vec::new();
        sample().write(&mut out, format, Style::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn on_terminal(table: &Table, width: u16) -> String {
        let style = Style {
            color: false,
            width: Some(width),
        };
        let mut out = Vec::new();
        table.write(&mut out, Format::Table, style).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_narrow_terminal_cuts_free_text_and_never_an_id_or_a_number() {
        let mut table = Table::new(&["id", "summary", "amount"]);
        table.push(vec![
            Cell::text("acme-corp-2026"),
            Cell::text("asked for a quote on forty printers and toner"),
            Cell::Money(Decimal::from_str("10729.44").unwrap()),
        ]);
        assert_eq!(
            on_terminal(&table, 40),
            "id              summary       amount\n\
             acme-corp-2026  asked for a…  10,729.44\n"
        );
    }

    #[test]
    fn a_table_that_cannot_fit_turns_into_blocks_of_whole_values() {
        let mut table = Table::new(&["id", "email", "amount"]);
        for id in ["acme-corp-2026", "beta"] {
            table.push(vec![
                Cell::text(id),
                Cell::text("purchasing.department@acme.example"),
                Cell::Int(12),
            ]);
        }
        assert_eq!(
            on_terminal(&table, 30),
            "id:     acme-corp-2026\nemail:  purchasing.department@acme.example\namount: 12\n\n\
             id:     beta\nemail:  purchasing.department@acme.example\namount: 12\n"
        );
    }

    #[test]
    fn csv_quotes_and_joins_lists() {
        assert_eq!(
            render(Format::Csv),
            "name,amount,tags\n\"Acme, Inc\",19.9,a;b\n,inf,\n"
        );
    }

    #[test]
    fn a_closed_pipe_stays_a_broken_pipe_through_csv() {
        struct ClosedPipe;
        impl Write for ClosedPipe {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut table = Table::new(&["text"]);
        // More than the csv writer buffers, so a row's write reaches the pipe.
        for _ in 0..1000 {
            table.push(vec![Cell::text("x".repeat(100))]);
        }
        let error = table.write_csv(&mut ClosedPipe).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn json_is_typed() {
        let value: Value = serde_json::from_str(&render(Format::Json)).unwrap();
        assert_eq!(
            value,
            serde_json::json!([
                {"name": "Acme, Inc", "amount": 19.9, "tags": ["a", "b"]},
                {"name": null, "amount": null, "tags": []}
            ])
        );
    }

    #[test]
    fn records_stream_as_the_same_json_as_a_whole_list() {
        let records = [
            serde_json::json!({"id": "a", "tags": ["x"]}),
            serde_json::json!({"id": "b"}),
        ];
        for records in [&records[..], &records[..1], &[]] {
            let mut streamed = Vec::new();
            let no_table = |_: &[Value]| Table::default();
            write_records(
                &mut streamed,
                ExportFormat::Json,
                records,
                no_table,
                &|_| {},
            )
            .unwrap();
            let mut whole = Vec::new();
            write_json(&mut whole, records).unwrap();
            assert_eq!(String::from_utf8(streamed), String::from_utf8(whole));
        }
    }

    #[test]
    fn json_lines_are_one_compact_record_each() {
        let records = [
            serde_json::json!({"id": "a", "n": 1}),
            serde_json::json!({"id": "b"}),
        ];
        let mut out = Vec::new();
        let ticks = std::cell::Cell::new(0);
        let no_table = |_: &[Value]| Table::default();
        let progress = |n| ticks.set(ticks.get() + n);
        write_records(&mut out, ExportFormat::Jsonl, &records, no_table, &progress).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"id\":\"a\",\"n\":1}\n{\"id\":\"b\"}\n"
        );
        assert_eq!(ticks.get(), 2);
    }

    #[test]
    fn sections_have_titles_except_alone_or_in_csv() {
        let sections = [
            Section::new("one", "First", sample()),
            Section::new("two", "Second", Table::new(&["x"])),
        ];
        let render = |sections: &[Section], format| {
            let mut out = Vec::new();
            write_sections(&mut out, sections, format, Style::default()).unwrap();
            String::from_utf8(out).unwrap()
        };
        let markdown = render(&sections, Format::Markdown);
        assert!(markdown.starts_with("## First\n\n| name |"), "{markdown}");
        assert!(
            markdown.ends_with("\n\n## Second\n\n| x |\n| --- |\n"),
            "{markdown}"
        );
        assert_eq!(
            render(&sections, Format::Csv),
            render(&sections[..1], Format::Csv)
        );
        assert_eq!(render(&sections[1..], Format::Table), "x\n");
    }

    #[test]
    fn control_characters_are_escaped_in_tables_but_kept_in_csv() {
        let mut table = Table::new(&["subject"]);
        table.push(vec![Cell::text("Invoice\x1b]0;PWNED\x07\x1b[2J\u{9b}")]);
        let mut shown = Vec::new();
        table
            .write(&mut shown, Format::Table, Style::default())
            .unwrap();
        assert_eq!(
            String::from_utf8(shown).unwrap(),
            "subject\nInvoice\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\\u{9b}\n"
        );
        let mut csv = Vec::new();
        table
            .write(&mut csv, Format::Csv, Style::default())
            .unwrap();
        assert!(String::from_utf8(csv).unwrap().contains("\x1b]0;PWNED\x07"));
        assert_eq!(printable("two\nlines\tand a tab"), "two\nlines\tand a tab");
    }

    #[test]
    fn markdown() {
        assert_eq!(
            render(Format::Markdown),
            "| name | amount | tags |\n| --- | ---: | --- |\n| Acme, Inc | 19.9 | a, b |\n|  | inf |  |\n"
        );
    }
}
