//! `relate report NAME`: the analytical reports, one module per report. The
//! figures come from `relate::report`; this module loads what a report needs
//! and prints what it returns. [`Common`] holds the options every report shares.

mod assets;
mod basket;
mod campaign;
mod clv;
mod consent;
mod dashboard;
mod demand;
mod forecast;
mod funnel;
mod loyalty;
mod revenue;
mod rfm;
mod segments;
mod service;
mod value;

use chrono::NaiveDate;
use std::mem::ManuallyDrop;
use std::path::PathBuf;

use relate::Error;
use relate::filter::{Filter, combined};
use relate::model::values::Timestamp;
use relate::model::{Dataset, Kind};
use relate::output::{Format, Heading, write_json, write_report};
use relate::report::{Report, Scope};
use relate::store::fits::FitFiles;
use relate::store::{Months, Query};

use crate::ui::{Ui, date_arg};

/// Figures computed from the store as of a date, for all customers or a selection.
#[derive(clap::Subcommand)]
pub enum Command {
    Segments(segments::Args),
    Rfm(rfm::Args),
    Value(value::Args),
    Clv(clv::Args),
    Loyalty(loyalty::Args),
    Funnel(funnel::Args),
    Forecast(forecast::Args),
    Basket(basket::Args),
    Demand(demand::Args),
    Revenue(revenue::Args),
    Service(service::Args),
    Assets(assets::Args),
    Campaign(campaign::Args),
    Consent(consent::Args),
    Dashboard(dashboard::Args),
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Segments(args) => segments::run(ui, args),
        Command::Rfm(args) => rfm::run(ui, args),
        Command::Value(args) => value::run(ui, args),
        Command::Clv(args) => clv::run(ui, args),
        Command::Loyalty(args) => loyalty::run(ui, args),
        Command::Funnel(args) => funnel::run(ui, args),
        Command::Forecast(args) => forecast::run(ui, args),
        Command::Basket(args) => basket::run(ui, args),
        Command::Demand(args) => demand::run(ui, args),
        Command::Revenue(args) => revenue::run(ui, args),
        Command::Service(args) => service::run(ui, args),
        Command::Assets(args) => assets::run(ui, args),
        Command::Campaign(args) => campaign::run(ui, args),
        Command::Consent(args) => consent::run(ui, args),
        Command::Dashboard(args) => dashboard::run(ui, args),
    }
}

/// How far less than every record of its kinds a report needs; each narrowing
/// is dropped for a kind that the filter or a named segment looks at.
#[derive(Default, Clone, Copy)]
pub struct Narrowing<'a> {
    /// Kinds read only from the given number of days before the as-of date.
    pub recent: &'a [(Kind, u64)],
    /// Kinds read whole even when listed in `recent` (a --by field needs them).
    pub whole_history: &'a [Kind],
    /// Only the interactions on this channel.
    pub interaction_channel: Option<&'a str>,
}

/// The options of every report.
#[derive(clap::Args)]
pub struct Common {
    /// Compute as of the end of this day, from the records dated up to it, so a
    /// report for a past date can be rerun identically [default: today]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    as_of: Option<NaiveDate>,
    /// Only the customers of this named segment (`segments` in relate.yaml)
    #[arg(long, value_name = "NAME")]
    segment: Option<String>,
    /// Only the customers this filter selects, e.g.
    /// 'region = "EU" and orders.total >= 1000' (see docs/filters.md)
    #[arg(long = "where", value_name = "FILTER")]
    filter: Option<String>,
    /// Write the report to FILE, replacing it atomically, instead of printing it
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print only this section of a report made of several tables (with
    /// --format csv, the first is printed unless one is named)
    #[arg(long, value_name = "NAME")]
    section: Option<String>,
}

/// The records a report runs on: loaded, cut to the as-of date, and the filter
/// that selects its customers.
pub struct Input {
    /// Never freed: the process ends once the report is printed, and freeing
    /// a big store's records one by one took 0.15 s (docs/performance.md).
    pub data: ManuallyDrop<Dataset>,
    pub as_of: NaiveDate,
    /// The present (`RELATE_NOW` or the clock).
    pub now: Timestamp,
    filter: Option<Filter>,
    /// Where the store remembers the models of customer value it fitted.
    fits: FitFiles,
}

impl Input {
    pub fn scope(&self) -> Scope<'_> {
        Scope::new(&self.data, self.as_of, self.filter.as_ref()).remembering(&self.fits)
    }
}

impl Common {
    /// Loads the kinds of record the report needs, and those its filter needs,
    /// as they stood at the end of the as-of date.
    pub fn load(&self, ui: &Ui, kinds: &[Kind]) -> anyhow::Result<Input> {
        self.load_narrowed(ui, kinds, &Narrowing::default())
    }

    /// As [`Common::load`], reading less where the report needs less (see
    /// [`Narrowing`]): each kind in `recent` only from the given number of
    /// days before the as-of date, and only the interactions on one channel,
    /// unless the filter, a named segment of relate.yaml or the
    /// `whole_history` kinds need all of it. Dated records after the as-of
    /// month are never read.
    pub fn load_narrowed(
        &self,
        ui: &Ui,
        kinds: &[Kind],
        narrowing: &Narrowing,
    ) -> anyhow::Result<Input> {
        let Narrowing {
            recent,
            whole_history,
            interaction_channel,
        } = *narrowing;
        let store = ui.store()?;
        let as_of = self.as_of.unwrap_or_else(|| store.env().now.date_naive());
        let filter = combined(
            store.settings(),
            self.segment.as_deref(),
            self.filter.as_deref(),
        )?;
        let filter_kinds: Vec<Kind> = filter.iter().flat_map(|f| f.needs().kinds()).collect();
        let mut unpruned = filter_kinds.clone();
        unpruned.extend(whole_history);
        for segment in store.settings().segments.values() {
            // A bad segment filter already made the store refuse to open.
            if let Ok(segment) = Filter::parse(&segment.filter) {
                unpruned.extend(segment.needs().kinds());
            }
        }
        let mut all_kinds = kinds.to_vec();
        all_kinds.extend(&filter_kinds);
        all_kinds.sort();
        all_kinds.dedup();
        let query_of = |kind: Kind| {
            let query = Query::in_months(Months {
                from: recent
                    .iter()
                    .find(|(k, _)| *k == kind && !unpruned.contains(k))
                    .map(|(_, days)| as_of - chrono::Days::new(*days)),
                to: Some(as_of),
            });
            match interaction_channel {
                Some(channel) if kind == Kind::Interaction && !unpruned.contains(&kind) => {
                    query.on_channel(channel)
                }
                _ => query,
            }
        };
        let data = store.dataset_in(&all_kinds, query_of)?.as_of(as_of);
        Ok(Input {
            data: ManuallyDrop::new(data),
            as_of,
            now: store.env().now,
            filter,
            fits: store.fits(),
        })
    }

    /// Prints the report (or writes it to --output): the whole of it as JSON,
    /// otherwise its sections, or the one --section names; Markdown and html
    /// under its heading, html with its charts (none with --section).
    pub fn print(&self, ui: &mut Ui, report: &impl Report) -> anyhow::Result<()> {
        let mut sections = report.sections();
        let mut charts = report.charts();
        if let Some(name) = &self.section {
            let Some(index) = sections.iter().position(|s| s.name == name) else {
                let names: Vec<&str> = sections.iter().map(|s| s.name).collect();
                return Err(Error::usage(format!("this report has no section `{name}`"))
                    .with_hint(format!("its sections are: {}", names.join(", ")))
                    .into());
            };
            sections = vec![sections.swap_remove(index)];
            charts.clear();
        }
        let mut heading = self.heading(ui, report.title())?;
        if sections.iter().any(|s| s.table.has_money()) {
            heading.currency = Some(ui.store()?.settings().currency.clone());
        }
        for section in &mut sections {
            section.table = ui.chosen_columns(std::mem::take(&mut section.table))?;
        }
        ui.print_to(self.output.as_deref(), |out, format, style| match format {
            Format::Json => write_json(out, report),
            _ => write_report(out, &heading, &charts, &sections, format, style),
        })
    }

    /// The title, the as-of date (the one [`Common::load`] cut the records
    /// to) and the selection of customers, as given.
    pub fn heading(&self, ui: &Ui, title: String) -> anyhow::Result<Heading> {
        let as_of = match self.as_of {
            Some(day) => day,
            None => ui.env()?.now.date_naive(),
        };
        let selection: Vec<String> = [
            self.segment.as_ref().map(|name| format!("segment {name}")),
            self.filter.as_ref().map(|filter| format!("where {filter}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        Ok(Heading {
            title,
            as_of,
            filter: (!selection.is_empty()).then(|| selection.join(" · ")),
            currency: None,
        })
    }
}
