//! `report dashboard`: the page a manager opens each morning. Headline
//! figures (revenue this month and this year against the same days a year
//! earlier, the open pipeline and its weighted forecast, the win rate, new
//! and at-risk customers, open tickets and late SLA clocks), the charts of
//! the reports they come from, and the agenda of one owner or of the team.
//!
//! Every figure is the one its own report gives for the same as-of date and
//! selection (`revenue`, `forecast`, `funnel`, `loyalty`, `service`...): the
//! dashboard only calls them and picks. Definitions: docs/reports.md.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

use super::agenda::{self, Item};
use super::demand::{self, GroupBy, Method, Period};
use super::{Report, Scope, forecast, funnel, loyalty, revenue, rfm, service, value};
use crate::error::Result;
use crate::model::Interaction;
use crate::model::values::{Timestamp, decimal, timestamp, utc_date};
use crate::output::chart::Chart;
use crate::output::{Cell, Section, Table};

/// How many days back the win rate counts the deals closed.
const WIN_RATE_DAYS: u64 = 365;
/// How many customers the top-customers table and chart show.
const TOP_CUSTOMERS: usize = 10;
/// How many of the latest contacts the page lists.
const RECENT_CONTACTS: usize = 10;

/// A figure now and over the same days a year earlier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared<T> {
    pub current: T,
    pub year_earlier: T,
    /// current / year_earlier - 1; null when the year earlier had none.
    pub change: Option<f64>,
}

/// The headline figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    /// Revenue from the first of the as-of month to the as-of date.
    pub revenue_month: Compared<Money>,
    /// Revenue from the first of January to the as-of date.
    pub revenue_year: Compared<Money>,
    /// Open deals on the as-of date, their amounts, and those weighted by
    /// their stage's probability (`report forecast`).
    pub open_deals: u64,
    #[serde(with = "decimal")]
    pub open_pipeline: Decimal,
    #[serde(with = "decimal")]
    pub weighted_forecast: Decimal,
    /// won / (won + lost) over the deals closed in the last 365 days.
    pub win_rate: Option<f64>,
    /// Customers whose first order fell in the as-of month, to the as-of date.
    pub new_customers: Compared<u64>,
    /// Customers past their churn threshold (`report loyalty`).
    pub at_risk_customers: u64,
    /// Open tickets, and SLA clocks run out on them and still running.
    pub open_tickets: u64,
    pub sla_breaches: u64,
}

/// One logged contact, as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    #[serde(with = "timestamp")]
    pub at: Timestamp,
    pub customer: String,
    pub channel: String,
    pub owner: Option<String>,
    pub summary: Option<String>,
}

/// An amount of money that serializes as a JSON number, as every amount does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Money(#[serde(with = "decimal")] pub Decimal);

/// `report dashboard`.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// The store's currency, which every amount is in.
    pub currency: String,
    /// The owner whose agenda is shown; null for the whole team's.
    pub owner: Option<String>,
    pub figures: Figures,
    pub agenda: Vec<Item>,
    /// The latest contacts up to the as-of date, newest first (of the owner's
    /// customers or records, with --owner).
    pub recent_contacts: Vec<Contact>,
    /// The reports the page draws and tabulates; in JSON, each has its own command.
    #[serde(skip)]
    parts: Parts,
}

#[derive(Debug, Clone)]
struct Parts {
    revenue: revenue::Revenue,
    funnel: funnel::Funnel,
    forecast: forecast::Forecast,
    rfm: rfm::RfmReport,
    loyalty: loyalty::LoyaltyReport,
    demand: demand::Demand,
    service: service::Service,
    value: value::ValueReport,
}

/// The dashboard as of `scope.as_of`, its clocks read at `now` (see
/// [`super::moment`]), with the agenda of `owner` (everyone's without one).
pub fn dashboard(scope: &Scope, now: Timestamp, owner: Option<&str>) -> Result<Dashboard> {
    let settings = &scope.data.settings;
    if let Some(owner) = owner {
        settings.check_owner_choice(owner)?;
    }
    // The agenda (RFM scores and BG/NBD fits on two dates) takes as long as
    // all the rest: both are computed at once, on every core.
    let (agenda, rest) = rayon::join(
        || agenda::agenda(scope.data, now, 0, scope.fits),
        || figures_and_parts(scope, now),
    );
    let (figures, parts) = rest?;
    let agenda = (agenda.into_iter())
        .filter(|item| owner.is_none() || item.owner.as_deref() == owner)
        .filter(|item| scope.includes(&item.customer))
        .collect();
    Ok(Dashboard {
        currency: settings.currency.clone(),
        owner: owner.map(String::from),
        figures,
        agenda,
        recent_contacts: recent_contacts(scope, owner),
        parts,
    })
}

/// The headline figures, and the reports they come from.
fn figures_and_parts(scope: &Scope, now: Timestamp) -> Result<(Figures, Parts)> {
    let as_of = scope.as_of;
    let settings = &scope.data.settings;
    let year_earlier = as_of - Months::new(12);
    let to_date = |period: Period, day: NaiveDate| -> Result<Decimal> {
        let params = revenue::Params {
            period,
            by: None,
            since: Some(day),
            until: Some(day),
        };
        Ok(revenue::revenue(scope, &params)?.total.total.revenue)
    };
    let revenue_month = compare(
        Money(to_date(Period::Month, as_of)?),
        Money(to_date(Period::Month, year_earlier)?),
        |m| m.0,
    );
    let revenue_year = compare(
        Money(to_date(Period::Year, as_of)?),
        Money(to_date(Period::Year, year_earlier)?),
        |m| m.0,
    );
    let monthly = revenue::revenue(
        scope,
        &revenue::Params {
            period: Period::Month,
            by: None,
            since: None,
            until: None,
        },
    )?;
    let since = as_of - chrono::Days::new(WIN_RATE_DAYS);
    let funnel = funnel::funnel(scope, Some(since))?;
    let forecast = forecast::forecast(scope);
    let loyalty = loyalty::report(scope, settings.analytics.churn_factor);
    let service = service::service(scope, now, None);
    let value = value::report(
        scope,
        settings.analytics.lifespan_years,
        Some(TOP_CUSTOMERS),
    );
    let demand = demand::demand(
        scope,
        &demand::Params {
            by: GroupBy::Segment,
            period: Period::Month,
            method: Method::MovingAverage,
            horizon: 3,
            window: 3,
            alpha: 0.3,
            beta: 0.1,
        },
    )?;
    let figures = Figures {
        revenue_month,
        revenue_year,
        open_deals: forecast.months.iter().map(|m| m.deals).sum(),
        open_pipeline: (forecast.in_currency(&settings.currency))
            .map(|m| m.best_case)
            .sum(),
        weighted_forecast: (forecast.in_currency(&settings.currency))
            .map(|m| m.weighted)
            .sum(),
        win_rate: funnel.win_rate,
        new_customers: new_customers(scope, as_of, year_earlier),
        at_risk_customers: loyalty.summary.at_risk,
        open_tickets: service.open.iter().map(|row| row.open).sum(),
        sla_breaches: (service.breaches.iter())
            .filter(|b| b.met.is_none())
            .count() as u64,
    };
    let parts = Parts {
        revenue: monthly,
        funnel,
        forecast,
        rfm: rfm::report(scope),
        loyalty,
        demand,
        service,
        value,
    };
    Ok((figures, parts))
}

fn compare<T: Copy>(current: T, year_earlier: T, amount: impl Fn(T) -> Decimal) -> Compared<T> {
    let (now, before) = (amount(current), amount(year_earlier));
    // Checked: amounts come from files anyone may edit, and a huge one over a
    // tiny one would overflow a decimal.
    let change = (now.checked_div(before))
        .and_then(|ratio| rust_decimal::prelude::ToPrimitive::to_f64(&ratio))
        .map(|ratio| ratio - 1.0);
    Compared {
        current,
        year_earlier,
        change,
    }
}

/// The selected customers whose first order fell from the first of `day`'s
/// month to `day`, for the as-of date and for the same days a year earlier.
fn new_customers(scope: &Scope, as_of: NaiveDate, year_earlier: NaiveDate) -> Compared<u64> {
    let mut first_order: HashMap<&str, NaiveDate> = HashMap::new();
    for order in scope.orders() {
        let day = utc_date(&order.at);
        first_order
            .entry(order.customer.as_str())
            .and_modify(|first| *first = (*first).min(day))
            .or_insert(day);
    }
    let count = |day: NaiveDate| {
        let start = day.with_day(1).unwrap_or(day);
        (first_order.values())
            .filter(|first| (start..=day).contains(first))
            .count() as u64
    };
    compare(count(as_of), count(year_earlier), Decimal::from)
}

/// The latest contacts with the selected customers, newest first; with an
/// owner, those the owner holds (the contact's owner, else its customer's, as
/// the agenda assigns them).
fn recent_contacts(scope: &Scope, owner: Option<&str>) -> Vec<Contact> {
    let owners: HashMap<&str, Option<&str>> = (scope.customers())
        .map(|c| (c.id.as_str(), c.owner.as_deref()))
        .collect();
    fn held_by<'a>(owners: &HashMap<&str, Option<&'a str>>, i: &'a Interaction) -> Option<&'a str> {
        let customer_owner = owners.get(i.customer.as_str()).copied().flatten();
        i.owner.as_deref().or(customer_owner)
    }
    // Newest first, then by customer, then in the order read. Only the few
    // shown are sorted and copied, not every contact of the store.
    let newest_first = |a: &(usize, &Interaction), b: &(usize, &Interaction)| {
        (b.1.at.cmp(&a.1.at))
            .then_with(|| a.1.customer.cmp(&b.1.customer))
            .then(a.0.cmp(&b.0))
    };
    let mut latest: Vec<(usize, &Interaction)> = (scope.interactions().enumerate())
        .filter(|(_, i)| owner.is_none() || held_by(&owners, i) == owner)
        .collect();
    if latest.len() > RECENT_CONTACTS {
        latest.select_nth_unstable_by(RECENT_CONTACTS, newest_first);
        latest.truncate(RECENT_CONTACTS);
    }
    latest.sort_by(newest_first);
    (latest.into_iter())
        .map(|(_, i)| Contact {
            at: i.at,
            customer: i.customer.to_string(),
            channel: i.channel.to_string(),
            owner: held_by(&owners, i).map(String::from),
            summary: i.summary.clone(),
        })
        .collect()
}

/// A change as a signed percentage, `+12%`.
fn percent(change: Option<f64>) -> Cell {
    change
        .filter(|c| c.is_finite())
        .map_or(Cell::Empty, |c| Cell::text(format!("{:+.0}%", c * 100.0)))
}

impl Dashboard {
    fn contacts_table(&self) -> Table {
        let mut table = Table::new(&["at", "customer", "channel", "owner", "summary"]);
        for c in &self.recent_contacts {
            table.push(vec![
                Cell::DateTime(c.at),
                Cell::text(&c.customer),
                Cell::text(&c.channel),
                c.owner.as_deref().into(),
                c.summary.as_deref().into(),
            ]);
        }
        table
    }

    fn figures_table(&self) -> Table {
        let f = &self.figures;
        let mut table = Table::new(&["figure", "value", "a year earlier", "change"]);
        let money = |m: &Compared<Money>| {
            vec![
                Cell::Money(m.current.0),
                Cell::Money(m.year_earlier.0),
                percent(m.change),
            ]
        };
        let alone = |value: Cell| vec![value, Cell::Empty, Cell::Empty];
        let rows: [(&str, Vec<Cell>); 9] = [
            ("revenue this month", money(&f.revenue_month)),
            ("revenue this year", money(&f.revenue_year)),
            ("open pipeline", alone(Cell::Money(f.open_pipeline))),
            ("weighted forecast", alone(Cell::Money(f.weighted_forecast))),
            (
                "win rate, last 365 days",
                alone(
                    f.win_rate
                        .map_or(Cell::Empty, |w| Cell::text(format!("{:.0}%", w * 100.0))),
                ),
            ),
            (
                "new customers this month",
                vec![
                    Cell::Int(f.new_customers.current as i64),
                    Cell::Int(f.new_customers.year_earlier as i64),
                    percent(f.new_customers.change),
                ],
            ),
            (
                "customers at risk",
                alone(Cell::Int(f.at_risk_customers as i64)),
            ),
            ("open tickets", alone(Cell::Int(f.open_tickets as i64))),
            (
                "SLA clocks run out",
                alone(Cell::Int(f.sla_breaches as i64)),
            ),
        ];
        for (label, mut cells) in rows {
            let mut row = vec![Cell::text(label)];
            row.append(&mut cells);
            table.push(row);
        }
        table
    }
}

/// The section of `report` named `name`, renamed for the dashboard.
fn part(report: &impl Report, name: &str, as_name: &'static str, title: &str) -> Option<Section> {
    let mut section = report.sections().into_iter().find(|s| s.name == name)?;
    section.name = as_name;
    section.title = title.into();
    Some(section)
}

impl Report for Dashboard {
    fn title(&self) -> String {
        match &self.owner {
            Some(owner) => format!("Dashboard for {owner}"),
            None => "Dashboard".into(),
        }
    }

    fn charts(&self) -> Vec<Chart> {
        let p = &self.parts;
        let mut charts = Vec::new();
        charts.extend(p.revenue.charts());
        charts.extend(p.funnel.charts());
        charts.extend(p.forecast.charts());
        charts.extend(p.rfm.charts());
        charts.extend(p.loyalty.charts());
        charts.extend(p.demand.charts());
        charts.extend(p.service.charts());
        charts.extend(p.value.charts());
        charts
    }

    /// The figures, the agenda, then the tables the charts are drawn from
    /// (what a mailed Markdown page keeps of them).
    fn sections(&self) -> Vec<Section> {
        let p = &self.parts;
        let currency = &self.currency;
        let mut sections = vec![
            Section::headline(
                "figures",
                format!("Figures ({currency})"),
                self.figures_table(),
            ),
            Section::new(
                "agenda",
                match &self.owner {
                    Some(owner) => format!("Agenda of {owner}"),
                    None => "Agenda of the team".into(),
                },
                agenda::table(&self.agenda),
            ),
            Section::new("recent", "Latest contacts", self.contacts_table()),
        ];
        let rfm_segments = rfm::summary(&p.rfm);
        let parts = [
            part(
                &p.revenue,
                "revenue",
                "revenue",
                &format!("Revenue per month ({currency})"),
            ),
            part(
                &p.funnel,
                "stages",
                "funnel",
                "Funnel, deals created in the last 365 days",
            ),
            part(
                &p.forecast,
                "months",
                "forecast",
                &format!("Open pipeline by close month ({currency})"),
            ),
            part(&rfm_segments, "segments", "rfm", "RFM segments"),
            part(&p.loyalty, "cohorts", "cohorts", "Monthly cohort retention"),
            part(
                &p.demand,
                "demand",
                "demand",
                "Units per price segment and month; (f) forecast",
            ),
            part(&p.service, "open", "service", "Open tickets by age"),
            part(
                &p.value,
                "customers",
                "top_customers",
                "Top customers by revenue",
            ),
        ];
        sections.extend(parts.into_iter().flatten());
        sections
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::midnight_utc;
    use crate::report::fixture::{contact, customer, dataset, date, deal, dec, order};

    /// Figures worked out by hand from the records below, as of 2026-03-10.
    #[test]
    fn headline_figures_compare_the_same_days_a_year_earlier() {
        let mut data = dataset(
            vec![customer("a"), customer("b"), customer("c")],
            vec![
                order("a", "2025-03-05", "100"),
                order("a", "2025-03-20", "999"),
                order("a", "2026-01-15", "50"),
                order("a", "2026-03-02", "250"),
                order("b", "2026-03-10", "30"),
                order("b", "2026-03-11", "7"),
                order("c", "2025-03-08", "40"),
            ],
        );
        data.deals = vec![
            deal("open", "a", "2026-02-01", "1000", None),
            deal("won", "b", "2026-01-01", "500", Some("2026-02-01")),
        ];
        data.interactions = vec![contact("a", "2026-03-01"), contact("b", "2026-03-09")];
        let as_of = date("2026-03-10");
        let data = data.as_of(as_of);
        let scope = Scope::all(&data, as_of);
        let now = midnight_utc(date("2026-03-11"));
        let page = dashboard(&scope, now, None).unwrap();
        let f = &page.figures;
        assert_eq!(f.revenue_month.current, Money(dec("280")));
        assert_eq!(f.revenue_month.year_earlier, Money(dec("140")));
        assert_eq!(f.revenue_month.change, Some(1.0));
        assert_eq!(f.revenue_year.current, Money(dec("330")));
        assert_eq!(f.revenue_year.year_earlier, Money(dec("140")));
        assert!((f.revenue_year.change.unwrap() - (330.0 / 140.0 - 1.0)).abs() < 1e-12);
        assert_eq!(
            (f.new_customers.current, f.new_customers.year_earlier),
            (1, 2)
        );
        assert_eq!(f.new_customers.change, Some(-0.5));
        assert_eq!(f.open_deals, 1);
        assert_eq!(f.open_pipeline, dec("1000"));
        // qualification's probability in the default settings is 0.1.
        assert_eq!(f.weighted_forecast, dec("100"));
        assert_eq!(f.win_rate, Some(1.0));
        assert_eq!((f.open_tickets, f.sla_breaches), (0, 0));
        let customers: Vec<&str> = (page.recent_contacts.iter())
            .map(|c| c.customer.as_str())
            .collect();
        assert_eq!(customers, ["b", "a"]);
        // Nothing a year earlier: no change; a huge amount over a tiny one: none either.
        assert_eq!(
            compare(Money(dec("5")), Money(Decimal::ZERO), |m| m.0).change,
            None
        );
        let tiny = Decimal::new(1, 28);
        assert_eq!(
            compare(Money(Decimal::MAX), Money(tiny), |m| m.0).change,
            None
        );

        let figures = page.sections().remove(0);
        assert!(figures.headline);
        assert_eq!(
            figures.table.rows[0],
            vec![
                Cell::text("revenue this month"),
                Cell::Money(dec("280")),
                Cell::Money(dec("140")),
                Cell::text("+100%"),
            ]
        );
    }

    #[test]
    fn the_page_lists_the_ten_newest_contacts_then_by_customer() {
        let mut data = dataset(Vec::new(), Vec::new());
        // Customer c00 to c11, on the 1st, 2nd and 3rd of March in turn,
        // read in the reverse order of their names.
        data.interactions = (0..12)
            .rev()
            .map(|i| contact(&format!("c{i:02}"), &format!("2026-03-0{}", 1 + i % 3)))
            .collect();
        let as_of = date("2026-03-10");
        let scope = Scope::all(&data, as_of);
        let page = dashboard(&scope, midnight_utc(as_of), None).unwrap();
        let customers: Vec<&str> = (page.recent_contacts.iter())
            .map(|c| c.customer.as_str())
            .collect();
        assert_eq!(
            customers,
            [
                "c02", "c05", "c08", "c11", "c01", "c04", "c07", "c10", "c00", "c03"
            ]
        );
    }

    #[test]
    fn an_unknown_owner_is_refused_with_the_team_named() {
        let mut data = dataset(vec![customer("a")], Vec::new());
        data.settings.owners = serde_yaml::from_str("[{id: alice, name: Alice}]").unwrap();
        let as_of = date("2026-03-10");
        let scope = Scope::all(&data, as_of);
        let error = dashboard(&scope, midnight_utc(as_of), Some("alise")).unwrap_err();
        assert!(
            error.to_string().contains("unknown owner `alise`"),
            "{error}"
        );
    }
}
