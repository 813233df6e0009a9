//! What every command shares: the global options, the environment, opening the
//! store, and printing (data to stdout, messages for people to stderr).

use chrono::{NaiveDate, Timelike, Utc};
use clap::Args;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use relate::Error;
use relate::model::values::{self, Timestamp};
use relate::output::{ExportFormat, Format, Style, Table, printable, write_json, write_records};
use relate::store::{Author, CacheMode, Env, Recovery, Store};

#[derive(Args)]
pub struct GlobalArgs {
    /// The store to use [default: the nearest folder upwards holding relate.yaml]
    #[arg(
        long,
        global = true,
        env = "RELATE_STORE",
        hide_env_values = true,
        value_name = "DIR"
    )]
    store: Option<PathBuf>,

    /// How to print records and figures (`jsonl` only for `relate export`)
    #[arg(long, global = true, value_name = "FORMAT", default_value = "table",
          value_parser = format_arg())]
    format: FormatArg,

    /// Colors and bold in tables: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto",
          value_parser = ["auto", "always", "never"])]
    color: String,

    /// Write the files but do not commit them
    #[arg(long, global = true)]
    no_commit: bool,

    /// Print only these columns, in this order, e.g. `--columns id,name,region`
    /// (tables, csv and markdown; json keeps every field)
    #[arg(long, global = true, value_name = "NAMES", value_delimiter = ',')]
    columns: Vec<String>,

    /// Never page long output on a terminal (see RELATE_PAGER and PAGER)
    #[arg(long, global = true)]
    no_pager: bool,
}

/// `--format`: a format for rows, or JSON Lines, which only `relate export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    Rows(Format),
    JsonLines,
}

/// The row formats and `jsonl`, all listed in help and errors.
fn format_arg() -> impl clap::builder::TypedValueParser<Value = FormatArg> {
    use clap::builder::TypedValueParser;
    const NAMES: &[&str] = &["table", "json", "csv", "markdown", "html", "jsonl"];
    clap::builder::PossibleValuesParser::new(NAMES).map(|name| match name.as_str() {
        "jsonl" => FormatArg::JsonLines,
        rows => FormatArg::Rows(rows.parse().expect("a listed name")),
    })
}

pub struct Ui {
    global: GlobalArgs,
    stdout: Stdout,
    style: Style,
}

/// Where stdout goes: straight out, or, on a terminal with a pager, held until
/// the command ends so that what is longer than the screen goes through it.
enum Stdout {
    Direct(BufWriter<io::Stdout>),
    Held {
        text: Vec<u8>,
        pager: String,
        rows: u16,
    },
}

impl Write for Stdout {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Stdout::Direct(out) => out.write(bytes),
            Stdout::Held { text, .. } => text.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stdout::Direct(out) => out.flush(),
            Stdout::Held { .. } => Ok(()),
        }
    }
}

/// A positive whole number from the environment variable `name`.
fn env_size(name: &str) -> Option<u16> {
    std::env::var(name)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|&n| n > 0)
}

/// The pager to use on a terminal: `RELATE_PAGER`, else `PAGER`, else
/// `less -FRX` (as git does); none when it is empty or `cat`.
fn pager_command() -> Option<String> {
    let chosen = ["RELATE_PAGER", "PAGER"]
        .into_iter()
        .find_map(|name| std::env::var(name).ok());
    let command = chosen.unwrap_or_else(|| "less -FRX".to_string());
    let command = command.trim();
    (!command.is_empty() && command != "cat").then(|| command.to_string())
}

/// Shows `text` through `pager` (a shell command line), or prints it when the
/// pager cannot be started. Quitting the pager early is no error.
fn page(text: &[u8], pager: &str) -> io::Result<()> {
    let child = std::process::Command::new("sh")
        .args(["-c", pager])
        .env(
            "LESS",
            std::env::var("LESS").unwrap_or_else(|_| "FRX".into()),
        )
        .stdin(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        let mut out = io::stdout().lock();
        out.write_all(text)?;
        return out.flush();
    };
    let written = child.stdin.take().map(|mut pipe| pipe.write_all(text));
    child.wait()?;
    match written {
        Some(Err(e)) if e.kind() != io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}

impl Ui {
    pub fn new(global: GlobalArgs) -> anyhow::Result<Ui> {
        let terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match global.color.as_str() {
            "always" => true,
            "never" => false,
            _ => terminal && !no_color,
        };
        // COLUMNS and LINES, when set, say the screen's size, as for `ls` and `less`.
        let screen = terminal_size::terminal_size();
        let width = terminal
            .then(|| env_size("COLUMNS").or(screen.map(|(w, _)| w.0)))
            .flatten();
        let rows = env_size("LINES").or(screen.map(|(_, h)| h.0));
        let pager = (terminal && !global.no_pager).then(pager_command).flatten();
        let stdout = match (pager, rows) {
            (Some(pager), Some(rows)) => Stdout::Held {
                text: Vec::new(),
                pager,
                rows,
            },
            _ => Stdout::Direct(BufWriter::new(io::stdout())),
        };
        Ok(Ui {
            global,
            stdout,
            style: Style { color, width },
        })
    }

    /// The format of rows; `--format jsonl` is refused before any command but export runs.
    pub fn format(&self) -> Format {
        match self.global.format {
            FormatArg::Rows(format) => format,
            FormatArg::JsonLines => Format::Json,
        }
    }

    pub fn format_arg(&self) -> FormatArg {
        self.global.format
    }

    /// The environment from `RELATE_*` variables: the clock (`RELATE_NOW`), the
    /// author (`RELATE_AUTHOR`), the lock timeout and the id seed.
    pub fn env(&self) -> anyhow::Result<Env> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let now = clock().map_err(Error::usage)?;
        let author = match var("RELATE_AUTHOR") {
            Some(text) => Some(Author::parse(&text).ok_or_else(|| {
                Error::usage(format!("RELATE_AUTHOR `{text}` is not `Name <email>`"))
            })?),
            None => None,
        };
        let number = |name: &str| -> anyhow::Result<Option<u64>> {
            var(name)
                .map(|v| {
                    v.parse()
                        .map_err(|_| Error::usage(format!("{name} `{v}` is not a whole number")))
                })
                .transpose()
                .map_err(Into::into)
        };
        Ok(Env {
            now,
            author,
            commit: !self.global.no_commit,
            lock_timeout: Duration::from_secs(number("RELATE_LOCK_TIMEOUT")?.unwrap_or(10)),
            seed: number("RELATE_SEED")?,
            relate_exe: std::env::current_exe().ok(),
            cache: match var("RELATE_CACHE").as_deref() {
                Some("off") => None,
                Some("on") | None => Some(CacheMode::Use),
                Some(other) => {
                    return Err(Error::usage(format!(
                        "RELATE_CACHE `{other}` is not `on` or `off`"
                    ))
                    .into());
                }
            },
            notify: |message| eprintln!("{}", printable(message)),
        })
    }

    /// Finds and opens the store.
    pub fn store(&self) -> anyhow::Result<Store> {
        self.store_with(self.env()?)
    }

    /// Finds and opens the store with `env` (a command that changes what the
    /// environment says, as `check --full` does with the cache).
    pub fn store_with(&self, env: Env) -> anyhow::Result<Store> {
        let cwd = std::env::current_dir()?;
        let root = Store::discover(self.global.store.as_deref(), &cwd)?;
        let store = Store::open(&root, env)?;
        if let Some(recovery) = store.recovered() {
            self.note(&recovery_note(recovery));
        }
        Ok(store)
    }

    /// The path given with `--store`, if any.
    pub fn store_arg(&self) -> Option<&std::path::Path> {
        self.global.store.as_deref()
    }

    /// Prints rows in the chosen format.
    pub fn table(&mut self, table: &Table) -> anyhow::Result<()> {
        let format = self.format();
        let table = self.chosen_columns(table.clone())?;
        table.write(&mut self.stdout, format, self.style)?;
        Ok(())
    }

    /// `table` with only the columns `--columns` names, when it names any.
    pub fn chosen_columns(&self, table: Table) -> anyhow::Result<Table> {
        match self.global.columns.as_slice() {
            [] => Ok(table),
            names => Ok(table.select(names)?),
        }
    }

    /// Prints records: JSON carries every field of each record; the other
    /// formats show the rows of `table`.
    pub fn records<T: serde::Serialize>(
        &mut self,
        records: &[T],
        table: impl FnOnce(&[T]) -> Table,
    ) -> anyhow::Result<()> {
        self.records_to(None, records, table)
    }

    /// As [`Ui::records`], or with `file` written there instead (see [`Ui::print_to`]).
    pub fn records_to<T: serde::Serialize>(
        &mut self,
        file: Option<&Path>,
        records: &[T],
        table: impl FnOnce(&[T]) -> Table,
    ) -> anyhow::Result<()> {
        let rows = match self.format() {
            Format::Json => None,
            _ => Some(self.chosen_columns(table(records))?),
        };
        self.print_to(file, |out, format, style| match rows {
            None => write_json(out, records),
            Some(rows) => rows.write(out, format, style),
        })
    }

    /// Prints what `render` writes in the chosen format, or with `file` writes it
    /// there instead, atomically (a reader never sees half a report) and plain
    /// (no colors, no wrapping).
    pub fn print_to(
        &mut self,
        file: Option<&Path>,
        render: impl FnOnce(&mut dyn Write, Format, Style) -> io::Result<()>,
    ) -> anyhow::Result<()> {
        let format = self.format();
        match file {
            None => render(&mut self.stdout, format, self.style)?,
            Some(path) => {
                let mut bytes = Vec::new();
                render(&mut bytes, format, Style::default())?;
                relate::store::write_atomic(path, &bytes)?;
            }
        }
        Ok(())
    }

    pub fn json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> anyhow::Result<()> {
        write_json(&mut self.stdout, value)?;
        Ok(())
    }

    /// A line of text on stdout (section titles in `show` views).
    pub fn line(&mut self, text: &str) -> anyhow::Result<()> {
        writeln!(self.stdout, "{}", printable(text))?;
        Ok(())
    }

    /// Text as it is (vCards), on stdout.
    pub fn text(&mut self, text: &str) -> anyhow::Result<()> {
        self.stdout.write_all(text.as_bytes())?;
        Ok(())
    }

    /// Writes records for `relate export` in `format`, with a progress bar.
    pub fn export<T: serde::Serialize>(
        &mut self,
        records: &[T],
        format: ExportFormat,
        table: fn(&[T]) -> Table,
    ) -> anyhow::Result<()> {
        let progress = self.progress(records.len() as u64, "exporting");
        write_records(&mut self.stdout, format, records, table, &|n| {
            progress.inc(n)
        })?;
        progress.finish_and_clear();
        Ok(())
    }

    /// Raw bytes on stdout (generated scripts and pages).
    pub fn bytes(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.stdout.write_all(bytes)?;
        Ok(())
    }

    /// Prints the id of a record just created, alone on stdout, for scripts.
    pub fn created(&mut self, id: &str) -> anyhow::Result<()> {
        self.line(id)
    }

    /// A progress bar on stderr for `len` steps, drawn only when stderr is a terminal.
    pub fn progress(&self, len: u64, what: &str) -> indicatif::ProgressBar {
        if !std::io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(len);
        let style =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)")
                .expect("a valid template")
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what.to_string());
        bar
    }

    /// A message for people, on stderr.
    pub fn note(&self, message: &str) {
        eprintln!("{}", printable(message));
    }

    /// Writes out what stdout holds: through the pager when it has more
    /// lines than the screen has rows.
    pub fn flush(&mut self) -> anyhow::Result<()> {
        match &mut self.stdout {
            Stdout::Direct(out) => out.flush()?,
            Stdout::Held { text, pager, rows } => {
                let text = std::mem::take(text);
                let lines = text.iter().filter(|&&b| b == b'\n').count();
                if lines >= usize::from(*rows) {
                    page(&text, pager)?;
                } else {
                    let mut out = io::stdout().lock();
                    out.write_all(&text)?;
                    out.flush()?;
                }
            }
        }
        Ok(())
    }
}

/// The present: `RELATE_NOW`, or the clock in whole seconds (records keep
/// whole seconds: sub-second stamps are noise in a file).
fn clock() -> Result<Timestamp, String> {
    match std::env::var("RELATE_NOW").ok().filter(|v| !v.is_empty()) {
        Some(text) => values::parse_timestamp(&text).map_err(|e| format!("RELATE_NOW: {e}")),
        None => Ok(Utc::now()
            .fixed_offset()
            .with_nanosecond(0)
            .expect("0 is a valid nanosecond")),
    }
}

/// Clap value parser for dates: `YYYY-MM-DD`, or relative to today (the same
/// day the commands' defaults take), which is then said on stderr.
pub fn date_arg(text: &str) -> Result<NaiveDate, String> {
    let (date, relative) = values::parse_date_from(text, clock()?.date_naive())?;
    if relative {
        eprintln!("note: `{}` is {date}", printable(text.trim()));
    }
    Ok(date)
}

/// Clap value parser for date-times: RFC 3339, a bare date, or a date
/// relative to today as [`date_arg`] takes it (its midnight).
pub fn timestamp_arg(text: &str) -> Result<At, String> {
    // The syntax is checked now; the clock it is on waits for relate.yaml.
    match values::parse_timestamp_in(text, values::Zone::UTC) {
        Ok(_) => Ok(At(text.to_string())),
        Err(not_a_time) => date_arg(text)
            .map(|date| At(date.to_string()))
            .map_err(|_| format!("{not_a_time}, or a day such as today, friday or -2d")),
    }
}

/// A date-time given on the command line. One without an offset is on the
/// clocks of the store's `timezone`, as in imports, so it is placed only once
/// the store is open.
#[derive(Debug, Clone)]
pub struct At(String);

/// `at` placed in the store's timezone, or the store's now when there is none.
pub fn at_or_now(at: Option<&At>, store: &Store) -> Result<Timestamp, Error> {
    match at {
        Some(At(text)) => {
            values::parse_timestamp_in(text, store.settings().timezone).map_err(Error::usage)
        }
        None => Ok(store.env().now),
    }
}

/// Clap value parser for amounts that must not be negative.
pub fn amount_arg(text: &str) -> Result<rust_decimal::Decimal, String> {
    let amount = values::parse_decimal(text)?;
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(format!("`{text}` is negative"));
    }
    Ok(amount)
}

/// Clap value parser for numbers that must be more than 0.
pub fn positive_arg(text: &str) -> Result<rust_decimal::Decimal, String> {
    let number = values::parse_decimal(text)?;
    if number <= rust_decimal::Decimal::ZERO {
        return Err(format!("`{text}` must be more than 0"));
    }
    Ok(number)
}

/// Clap value parser for record ids.
pub fn id_arg(text: &str) -> Result<String, String> {
    match relate::model::id::invalid_reason(text) {
        Some(reason) => Err(reason),
        None => Ok(text.to_string()),
    }
}

/// Clap value parser for a kind of record: customer, interaction, deal, product, order.
pub fn kind_arg(text: &str) -> Result<relate::model::Kind, String> {
    text.parse()
}

/// A record of any kind named by its id, and by its kind when records of
/// several kinds have that id (`history`, `resolve`, `edit`).
#[derive(clap::Args)]
pub struct RecordArgs {
    /// The record's id
    #[arg(value_parser = id_arg)]
    pub id: String,
    /// The kind of record, when several kinds have that id
    #[arg(long, value_parser = kind_arg)]
    pub kind: Option<relate::model::Kind>,
}

/// `--sort FIELD` and `--limit N`, which every list takes.
#[derive(clap::Args)]
pub struct SortArgs {
    /// Sort by this field of the records (`-FIELD`: descending); numbers sort
    /// by value, and records without the field come last
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    pub sort: Option<String>,
    /// Show at most this many
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

impl SortArgs {
    /// Sorts the records and keeps the first `--limit`.
    pub fn apply<T: relate::model::Record>(&self, records: &mut Vec<T>) -> Result<(), Error> {
        relate::ops::list::sort_and_limit(records, self.sort.as_deref(), self.limit)
    }
}

impl RecordArgs {
    /// The record's kind and file, relative to the root.
    pub fn locate(&self, store: &Store) -> Result<(relate::model::Kind, PathBuf), Error> {
        store.locate(&self.id, self.kind)
    }
}

/// Clap value parser for a keyword enum: lists `names` in help and errors.
pub fn keyword<T>(names: &'static [&'static str]) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Debug,
{
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(names).map(|s| s.parse::<T>().expect("a listed name"))
}

/// What the user is told when a write that a crash interrupted was finished
/// or rolled back before their command ran.
fn recovery_note(recovery: &Recovery) -> String {
    match recovery {
        Recovery::Finished { commit, files } => format!(
            "note: finished an interrupted write: commit {} ({files} files) was already made; git's index is now in line",
            &commit[..commit.len().min(12)]
        ),
        Recovery::RolledBack { files } => format!(
            "note: rolled back an interrupted write that never committed ({} files put back as they were)",
            files.len()
        ),
    }
}
