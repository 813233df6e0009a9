//! `relate import`: records from CSV files, vCards, e-mail and questionnaires.

use std::path::{Path, PathBuf};

use relate::Error;
use relate::exchange::csv_rows::{ColumnMap, CsvOptions, FieldSpec, Sheet, read_sheet};
use relate::exchange::{
    Action, ImportKind, LeftOut, Options, Workspace, mail, presets, records, survey, vcard,
};
use relate::model::Kind;
use relate::ops;
use relate::output::{Cell, Table};
use relate::store::{Query, Store};

use crate::ui::{Ui, keyword};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Import customers from a CSV file (by id, external_id or e-mail, re-imports update them).
    Customers(CsvArgs),
    /// Import interactions from a CSV file (one per row).
    Interactions(CsvArgs),
    /// Import deals from a CSV file (one per row).
    Deals(CsvArgs),
    /// Import orders from a CSV file: rows sharing an order id (`id` or
    /// `external_id`) become one order with several lines.
    Orders(CsvArgs),
    /// Import products from a CSV file (`id` is the SKU).
    Products(CsvArgs),
    Vcard(VcardArgs),
    Mail(MailArgs),
    Survey(SurveyArgs),
}

/// What every import offers.
#[derive(clap::Args)]
pub struct ApplyArgs {
    /// Show what would be created and updated, and write nothing
    #[arg(long)]
    dry_run: bool,
    /// Import the valid rows and list the others, instead of rejecting the file
    #[arg(long)]
    skip_invalid: bool,
}

/// The options of the CSV imports (each variant of `Command` has its own summary).
#[derive(clap::Args)]
#[command(
    after_help = "Columns whose header is a relate field name (as `relate export` writes them) \
map to that field; --map and --preset map others. A non-empty cell replaces the field's value, an \
empty one leaves it. The whole import is one commit; a bad row rejects the file (exit 4, \
FILE:LINE: message for each) unless --skip-invalid. See docs/import-export.md."
)]
pub struct CsvArgs {
    /// The CSV file (`-` for standard input)
    file: PathBuf,
    /// Take FIELD from COLUMN (repeatable); `A+B` joins columns, an empty COLUMN drops the field
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    maps: Vec<ColumnMap>,
    /// strftime format of the file's dates, e.g. `%d/%m/%Y %H:%M` [default: ISO 8601]
    #[arg(long, value_name = "FORMAT")]
    date_format: Option<String>,
    /// The field separator: one character, or `tab`
    #[arg(long, default_value = ",", value_parser = delimiter_arg)]
    delimiter: u8,
    /// The column names of another tool's export
    #[arg(long, value_parser = keyword::<String>(presets::NAMES))]
    preset: Option<String>,
    /// Make a minimal customer for each unknown customer reference
    #[arg(long)]
    create_customers: bool,
    /// Make a minimal product (named by `product_name`, priced by the row) for each unknown SKU
    #[arg(long)]
    create_products: bool,
    #[command(flatten)]
    apply: ApplyArgs,
}

/// Import customers from a vCard 3.0 or 4.0 file (several cards in one file).
///
/// A card finds its customer by UID (an id or an external_id), then by
/// e-mail; names, e-mails, phones, organisation and notes come from the card.
#[derive(clap::Args)]
pub struct VcardArgs {
    /// The .vcf file (`-` for standard input)
    file: PathBuf,
    #[command(flatten)]
    apply: ApplyArgs,
}

/// Import e-mail as `email` interactions: an mbox file, an .eml file or a folder of .eml files.
///
/// Each message is logged with the customer it was exchanged with, found by
/// address: outbound when the sender is one of the team's addresses (`owners`
/// in relate.yaml), inbound otherwise. Its Message-ID makes re-imports update
/// it. Messages with no customer are left out and their correspondents listed.
#[derive(clap::Args)]
pub struct MailArgs {
    /// An mbox file, an .eml file or a folder of .eml files
    path: PathBuf,
    /// Make each unknown correspondent a lead (a person with stage `lead`)
    #[arg(long)]
    create_customers: bool,
    #[command(flatten)]
    apply: ApplyArgs,
}

/// Import questionnaire answers from a CSV file.
///
/// Each row fills in its respondent's profile (the columns mapped to customer
/// fields) and logs one `questionnaire` interaction at `at`, with `score` (0
/// to 10) where a column is mapped to it; the other answers go into its body.
/// The respondent is found by `customer` (an id, external id, e-mail or name),
/// else by id, external_id or e-mail.
#[derive(clap::Args)]
pub struct SurveyArgs {
    /// The CSV file (`-` for standard input)
    file: PathBuf,
    /// Take FIELD from COLUMN (repeatable), e.g. `score=How likely are you to recommend us?`
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    maps: Vec<ColumnMap>,
    /// strftime format of the file's dates [default: ISO 8601]
    #[arg(long, value_name = "FORMAT")]
    date_format: Option<String>,
    /// The field separator: one character, or `tab`
    #[arg(long, default_value = ",", value_parser = delimiter_arg)]
    delimiter: u8,
    /// Make a customer for each unknown respondent
    #[arg(long)]
    create_customers: bool,
    #[command(flatten)]
    apply: ApplyArgs,
}

/// The kinds of record an import matches its rows against.
fn reads(command: &Command) -> &'static [Kind] {
    match command {
        Command::Customers(_) | Command::Vcard(_) => &[Kind::Customer],
        Command::Products(_) => &[Kind::Product],
        Command::Deals(_) => &[Kind::Customer, Kind::Deal, Kind::Product],
        Command::Orders(_) => &[Kind::Customer, Kind::Product, Kind::Order, Kind::Deal],
        Command::Interactions(_) | Command::Mail(_) | Command::Survey(_) => {
            &[Kind::Customer, Kind::Interaction, Kind::Deal]
        }
    }
}

fn delimiter_arg(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err(format!("`{text}` is not one character (or `tab`)")),
    }
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    let store = ui.store()?;
    // What the rows are matched against, read for update: a record another
    // command changes while this one waits for the lock is merged, not lost.
    let data = store.dataset_in(reads(&command), |_| Query::all().for_update())?;
    let settings = store.settings();
    let suppressed = store.suppressed()?;
    let workspace = |options: Options| {
        let mut ws = Workspace::new(data, settings, store.env().now, store.rng(), options);
        ws.suppress(suppressed);
        ws
    };
    match command {
        Command::Customers(args) => import_csv(ui, &store, workspace, ImportKind::Customers, args),
        Command::Interactions(args) => {
            import_csv(ui, &store, workspace, ImportKind::Interactions, args)
        }
        Command::Deals(args) => import_csv(ui, &store, workspace, ImportKind::Deals, args),
        Command::Orders(args) => import_csv(ui, &store, workspace, ImportKind::Orders, args),
        Command::Products(args) => import_csv(ui, &store, workspace, ImportKind::Products, args),
        Command::Vcard(args) => {
            let (cards, mut problems) = vcard::read(&args.file, &read_input(&args.file)?)?;
            let mut ws = workspace(Options::default());
            problems.extend(vcard::import_cards(&mut ws, &cards, &args.file));
            let left_out = problems.into();
            finish(ui, &store, &ws, left_out, &args.file, "vcard", &args.apply)
        }
        Command::Mail(args) => {
            let messages = mail::read_messages(&args.path)?;
            let mut ws = workspace(Options {
                create_customers: args.create_customers,
                ..Options::default()
            });
            let outcome = mail::import_messages(&mut ws, messages);
            for correspondent in &outcome.unmatched {
                let name = correspondent
                    .name
                    .as_ref()
                    .map_or(String::new(), |n| format!("{n} "));
                ui.note(&format!(
                    "unmatched: {name}<{}> ({})",
                    correspondent.address,
                    plural(correspondent.messages, "message")
                ));
            }
            if !outcome.unmatched.is_empty() {
                ui.note("hint: add them as customers, or import again with --create-customers");
            }
            finish(
                ui,
                &store,
                &ws,
                outcome.problems.into(),
                &args.path,
                "mail",
                &args.apply,
            )
        }
        Command::Survey(args) => {
            let options = CsvOptions {
                delimiter: args.delimiter,
                preset: None,
                maps: &args.maps,
            };
            let sheet = read_csv(&args.file, &survey::SURVEY_FIELDS, &options)?;
            if !sheet.has("at") {
                return Err(Error::usage(format!(
                    "{} has no `at` column for the date of each answer",
                    args.file.display()
                ))
                .with_hint("map the survey's timestamp column: --map at=COLUMN")
                .into());
            }
            let mut ws = workspace(Options {
                date_format: args.date_format,
                create_customers: args.create_customers,
                ..Options::default()
            });
            let left_out = survey::import_survey(&mut ws, &sheet, &args.file).into();
            if !sheet.ignored.is_empty() {
                ui.note(&format!(
                    "Answers kept in each interaction's body: {}",
                    sheet.ignored.join(", ")
                ));
            }
            finish(ui, &store, &ws, left_out, &args.file, "survey", &args.apply)
        }
    }
}

/// The bytes of `file`, or of standard input for `-`.
fn read_input(file: &Path) -> anyhow::Result<Vec<u8>> {
    if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
        return Ok(bytes);
    }
    Ok(std::fs::read(file).map_err(|e| Error::io(file, e))?)
}

fn read_csv(file: &Path, spec: &FieldSpec, options: &CsvOptions) -> anyhow::Result<Sheet> {
    let bytes = read_input(file)?;
    Ok(read_sheet(file, &bytes, spec, options)?)
}

fn note_ignored(ui: &Ui, sheet: &Sheet) {
    if !sheet.ignored.is_empty() {
        ui.note(&format!(
            "Columns not imported: {} (map them with --map FIELD=COLUMN)",
            sheet.ignored.join(", ")
        ));
    }
}

fn import_csv<'s>(
    ui: &mut Ui,
    store: &Store,
    workspace: impl FnOnce(Options) -> Workspace<'s>,
    kind: ImportKind,
    args: CsvArgs,
) -> anyhow::Result<()> {
    let preset = match args.preset.as_deref() {
        Some(name) => {
            let preset = presets::find(name).expect("clap allows only known presets");
            if preset.kind != kind {
                return Err(Error::usage(format!(
                    "preset `{name}` is for `relate import {}`",
                    preset.kind
                ))
                .into());
            }
            Some(preset)
        }
        None => None,
    };
    let options = CsvOptions {
        delimiter: args.delimiter,
        preset,
        maps: &args.maps,
    };
    let sheet = read_csv(&args.file, records::field_spec(kind), &options)?;
    let mut ws = workspace(Options {
        date_format: args.date_format,
        create_customers: args.create_customers,
        create_products: args.create_products,
        defaults: preset.map_or_else(Vec::new, |p| p.defaults.to_vec()),
    });
    let left_out = records::import_sheet(&mut ws, kind, &sheet, &args.file);
    note_ignored(ui, &sheet);
    finish(
        ui,
        store,
        &ws,
        left_out,
        &args.file,
        kind.as_str(),
        &args.apply,
    )
}

/// Rejects the import if rows were bad (unless --skip-invalid, which lists
/// every row left out), shows the changes on a dry run, else writes them in
/// one commit.
fn finish(
    ui: &mut Ui,
    store: &Store,
    ws: &Workspace,
    left_out: LeftOut,
    source: &Path,
    what: &str,
    apply: &ApplyArgs,
) -> anyhow::Result<()> {
    let LeftOut {
        problems,
        with_bad_rows,
    } = left_out;
    if !problems.is_empty() && !apply.skip_invalid {
        let count = problems.len();
        return Err(Error::invalid(problems)
            .with_hint(format!(
                "nothing was imported ({}): fix the file, or import the rest with --skip-invalid",
                plural(count, "problem")
            ))
            .into());
    }
    let mut skipped = problems;
    skipped.extend(with_bad_rows);
    skipped.sort();
    for problem in &skipped {
        ui.note(&format!("skipped: {problem}"));
    }
    note_distinct_ids(ui, ws);
    super::duplicates::note_likely_duplicates(ui, &ws.likely_duplicates());
    let changes = ws.changes();
    let created = changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .count();
    let updated = changes.len() - created;
    let counts = format!("{created} created, {updated} updated");
    let mut summary = match skipped.len() {
        0 => counts.clone(),
        n => format!("{counts}; {} skipped", plural(n, "problem")),
    };
    if ws.skipped_suppressed() > 0 {
        let rows = plural(ws.skipped_suppressed(), what_skipped(what));
        summary.push_str(&format!("; {rows} skipped: suppressed (erased person)"));
    }
    if apply.dry_run {
        let mut table = Table::new(&["action", "kind", "id", "label"]);
        for change in &changes {
            table.push(vec![
                Cell::text(change.action.as_str()),
                Cell::text(change.kind.name()),
                Cell::text(&change.id),
                Cell::text(&change.label),
            ]);
        }
        ui.table(&table)?;
        ui.note(&format!("Dry run: {summary}; nothing was written."));
        return Ok(());
    }
    if changes.is_empty() {
        ui.note(&match skipped.len() + ws.skipped_suppressed() {
            0 => format!(
                "Nothing to change: the store already has everything in {}.",
                source.display()
            ),
            _ => format!("Nothing imported from {}: {summary}.", source.display()),
        });
        return Ok(());
    }
    let progress = ui.progress(changes.len() as u64, "writing");
    let file = source.file_name().map_or_else(
        || source.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let message = format!("import {what}: {file} ({counts})");
    ops::import::write(store, ws, &message, || progress.inc(1))?;
    progress.finish_and_clear();
    ui.note(&format!("Imported {}: {summary}.", source.display()));
    Ok(())
}

/// Lists the new records whose id is not the one their name or key makes,
/// since another record has that one: two keys are never merged unseen.
fn note_distinct_ids(ui: &Ui, ws: &Workspace) {
    if ws.distinct_ids().is_empty() {
        return;
    }
    ui.note("Ids made distinct:");
    for made in ws.distinct_ids() {
        ui.note(&format!(
            "  {} `{}` -> {} ({} is taken)",
            made.kind.name(),
            made.made_from,
            made.id,
            made.taken
        ));
    }
}

/// What an import of `what` is made of: rows, cards or messages.
fn what_skipped(what: &str) -> &'static str {
    match what {
        "vcard" => "card",
        "mail" => "message",
        _ => "row",
    }
}

/// `1 problem`, `2 problems`.
fn plural(count: usize, noun: &str) -> String {
    format!("{count} {noun}{}", if count == 1 { "" } else { "s" })
}
