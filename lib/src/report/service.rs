//! `report service`: the ticket backlog by age and priority, SLA breaches, the
//! median times to first response and to resolution, and tickets per customer
//! and per product. Formulas and sources: docs/analytics.md.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

use super::{Report, Scope, median};
use crate::model::Ticket;
use crate::model::settings::Priority;
use crate::model::ticket::Deadline;
use crate::model::values::{Timestamp, hours_between, opt_timestamp, timestamp, utc_date};
use crate::output::chart::{Chart, HeatMap, Unit};
use crate::output::{Cell, Section, Table};

/// The period's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Tickets opened in the period.
    pub tickets: u64,
    /// Of them, those still open and those resolved.
    pub open: u64,
    pub resolved: u64,
    /// Median hours from opening to the first response, over the period's
    /// tickets that had one.
    pub median_first_response_hours: Option<f64>,
    /// Median hours from opening to resolution, over the period's resolved tickets.
    pub median_resolution_hours: Option<f64>,
    pub first_response_breaches: u64,
    pub resolution_breaches: u64,
}

/// The open tickets of one priority by age.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenRow {
    pub priority: Priority,
    pub open: u64,
    pub age_under_1d: u64,
    pub age_1_to_7d: u64,
    pub age_7_to_30d: u64,
    pub age_over_30d: u64,
    pub oldest_age_days: Option<f64>,
}

/// One SLA clock missed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    pub ticket: String,
    pub customer: String,
    pub priority: Priority,
    /// `first_response` or `resolution`.
    pub sla: &'static str,
    #[serde(with = "timestamp")]
    pub due: Timestamp,
    /// When it was met, late; `null` while still pending.
    #[serde(with = "opt_timestamp")]
    pub met: Option<Timestamp>,
    /// Hours from the due time to when it was met (or to now, while pending).
    pub hours_late: f64,
}

/// Tickets of one customer or product opened in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountRow {
    /// The customer or product id; `null` for tickets without a product.
    pub id: Option<String>,
    pub tickets: u64,
    /// Of them, still open.
    pub open: u64,
    /// Of them, with at least one SLA clock missed.
    pub breached: u64,
}

/// `report service`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub summary: Summary,
    /// Every open ticket (whenever opened), per priority, most urgent first.
    pub open: Vec<OpenRow>,
    /// The period's missed SLA clocks, by due time.
    pub breaches: Vec<Breach>,
    /// Per customer, most tickets first.
    pub customers: Vec<CountRow>,
    /// Per product, most tickets first; tickets without a product last.
    pub products: Vec<CountRow>,
}

/// The ticket report as of `scope.as_of`, its clocks read at `now` (the end of
/// the as-of day, or the present when that is earlier), over the tickets opened
/// from `since` (default: the beginning) to the as-of date.
pub fn service(scope: &Scope, now: Timestamp, since: Option<NaiveDate>) -> Service {
    let tickets: Vec<&Ticket> = scope.tickets().collect();
    let in_period: Vec<&Ticket> = tickets
        .iter()
        .copied()
        .filter(|t| since.is_none_or(|since| utc_date(&t.opened) >= since))
        .collect();
    let settings = &scope.data.settings;
    let missed = |t: &Ticket| -> Vec<Deadline> {
        t.sla(settings)
            .into_iter()
            .flatten()
            .filter(|d| d.breached(&now))
            .collect()
    };
    let mut breaches: Vec<Breach> = in_period
        .iter()
        .flat_map(|t| {
            missed(t).into_iter().map(|d| Breach {
                ticket: t.id.clone(),
                customer: t.customer.clone(),
                priority: t.priority,
                sla: d.target.as_str(),
                due: d.due,
                met: d.met,
                hours_late: hours_between(&d.due, &d.met.unwrap_or(now)),
            })
        })
        .collect();
    breaches.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.ticket.cmp(&b.ticket)));
    let count = |target: &str| breaches.iter().filter(|b| b.sla == target).count() as u64;
    let summary = Summary {
        tickets: in_period.len() as u64,
        open: in_period.iter().filter(|t| t.is_open()).count() as u64,
        resolved: in_period.iter().filter(|t| !t.is_open()).count() as u64,
        median_first_response_hours: median(
            in_period
                .iter()
                .filter_map(|t| Some(hours_between(&t.opened, &t.first_response.or(t.resolved)?)))
                .collect(),
        ),
        median_resolution_hours: median(
            in_period
                .iter()
                .filter_map(|t| Some(hours_between(&t.opened, &t.resolved?)))
                .collect(),
        ),
        first_response_breaches: count("first_response"),
        resolution_breaches: count("resolution"),
    };
    let breached = |t: &Ticket| !missed(t).is_empty();
    Service {
        summary,
        open: open_by_priority(&tickets, &now),
        breaches,
        customers: counts(&in_period, |t| Some(t.customer.clone()), breached),
        products: counts(&in_period, |t| t.product.clone(), breached),
    }
}

fn open_by_priority(tickets: &[&Ticket], now: &Timestamp) -> Vec<OpenRow> {
    Priority::ALL
        .iter()
        .map(|&priority| {
            let ages: Vec<f64> = tickets
                .iter()
                .filter(|t| t.is_open() && t.priority == priority)
                .map(|t| hours_between(&t.opened, now) / 24.0)
                .collect();
            let within =
                |from: f64, to: f64| ages.iter().filter(|&&a| a >= from && a < to).count() as u64;
            OpenRow {
                priority,
                open: ages.len() as u64,
                age_under_1d: within(f64::NEG_INFINITY, 1.0),
                age_1_to_7d: within(1.0, 7.0),
                age_7_to_30d: within(7.0, 30.0),
                age_over_30d: within(30.0, f64::INFINITY),
                oldest_age_days: ages.iter().copied().reduce(f64::max),
            }
        })
        .collect()
}

/// Tickets grouped by `key`, most first, then by key with `None` last.
fn counts(
    tickets: &[&Ticket],
    key: impl Fn(&Ticket) -> Option<String>,
    breached: impl Fn(&Ticket) -> bool,
) -> Vec<CountRow> {
    let mut groups: BTreeMap<Option<String>, CountRow> = BTreeMap::new();
    for t in tickets {
        let id = key(t);
        let row = groups.entry(id.clone()).or_insert(CountRow {
            id,
            tickets: 0,
            open: 0,
            breached: 0,
        });
        row.tickets += 1;
        row.open += u64::from(t.is_open());
        row.breached += u64::from(breached(t));
    }
    let mut rows: Vec<CountRow> = groups.into_values().collect();
    rows.sort_by(|a, b| {
        b.tickets
            .cmp(&a.tickets)
            .then_with(|| a.id.is_none().cmp(&b.id.is_none()))
            .then_with(|| a.id.cmp(&b.id))
    });
    rows
}

impl Report for Service {
    fn title(&self) -> String {
        "Service".into()
    }

    /// The open tickets as a grid of priority by age.
    fn charts(&self) -> Vec<Chart> {
        let cells = (self.open.iter())
            .map(|row| {
                [
                    row.age_under_1d,
                    row.age_1_to_7d,
                    row.age_7_to_30d,
                    row.age_over_30d,
                ]
                .into_iter()
                .map(|count| Some(count as f64))
                .collect()
            })
            .collect();
        vec![Chart::HeatMap(HeatMap {
            title: "Open tickets by priority and age".into(),
            row_title: "priority".into(),
            column_title: "age".into(),
            rows: self
                .open
                .iter()
                .map(|r| r.priority.as_str().to_string())
                .collect(),
            columns: ["< 1 day", "1-7 days", "7-30 days", "> 30 days"]
                .map(String::from)
                .to_vec(),
            cells,
            unit: Unit::Count,
        })]
    }

    fn sections(&self) -> Vec<Section> {
        let s = &self.summary;
        let mut summary = Table::new(&[
            "tickets",
            "open",
            "resolved",
            "median_first_response_hours",
            "median_resolution_hours",
            "first_response_breaches",
            "resolution_breaches",
        ]);
        summary.push(vec![
            Cell::Int(s.tickets as i64),
            Cell::Int(s.open as i64),
            Cell::Int(s.resolved as i64),
            s.median_first_response_hours.into(),
            s.median_resolution_hours.into(),
            Cell::Int(s.first_response_breaches as i64),
            Cell::Int(s.resolution_breaches as i64),
        ]);
        let mut open = Table::new(&[
            "priority",
            "open",
            "age_under_1d",
            "age_1_to_7d",
            "age_7_to_30d",
            "age_over_30d",
            "oldest_age_days",
        ]);
        for row in &self.open {
            open.push(vec![
                Cell::text(row.priority.as_str()),
                Cell::Int(row.open as i64),
                Cell::Int(row.age_under_1d as i64),
                Cell::Int(row.age_1_to_7d as i64),
                Cell::Int(row.age_7_to_30d as i64),
                Cell::Int(row.age_over_30d as i64),
                row.oldest_age_days.into(),
            ]);
        }
        let mut breaches = Table::new(&[
            "ticket",
            "customer",
            "priority",
            "sla",
            "due",
            "met",
            "hours_late",
        ]);
        for b in &self.breaches {
            breaches.push(vec![
                Cell::text(&b.ticket),
                Cell::text(&b.customer),
                Cell::text(b.priority.as_str()),
                Cell::text(b.sla),
                Cell::DateTime(b.due),
                b.met.map_or(Cell::Empty, Cell::DateTime),
                Cell::Float(b.hours_late),
            ]);
        }
        let counts = |column: &str, rows: &[CountRow]| {
            let mut table = Table::new(&[column, "tickets", "open", "breached"]);
            for row in rows {
                table.push(vec![
                    Cell::group(row.id.as_deref()),
                    Cell::Int(row.tickets as i64),
                    Cell::Int(row.open as i64),
                    Cell::Int(row.breached as i64),
                ]);
            }
            table
        };
        vec![
            Section::new("summary", "Tickets", summary),
            Section::new("open", "Open tickets by age", open),
            Section::new("breaches", "SLA breaches", breaches),
            Section::new(
                "customers",
                "Tickets per customer",
                counts("customer", &self.customers),
            ),
            Section::new(
                "products",
                "Tickets per product",
                counts("product", &self.products),
            ),
        ]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Dataset;
    use crate::model::ticket::{Status, TicketKind};
    use crate::model::values::parse_timestamp;
    use crate::report::funnel::tests::{day, settings};

    pub fn at(text: &str) -> Timestamp {
        parse_timestamp(text).unwrap()
    }

    /// A ticket opened at `opened`, responded and resolved at the given times.
    pub fn ticket(
        id: &str,
        customer: &str,
        priority: Priority,
        product: Option<&str>,
        opened: &str,
        first_response: Option<&str>,
        resolved: Option<&str>,
    ) -> Ticket {
        Ticket {
            id: id.into(),
            customer: customer.into(),
            subject: id.into(),
            kind: TicketKind::Repair,
            priority,
            status: if resolved.is_some() {
                Status::Resolved
            } else {
                Status::Open
            },
            owner: None,
            asset: None,
            product: product.map(str::to_string),
            opened: at(opened),
            first_response: first_response.map(at),
            resolved: resolved.map(at),
            history: Vec::new(),
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    /// With the default SLAs (hours to first response / resolution: urgent 1/8,
    /// high 4/24, normal 8/72, low 24/168) and the clock at 2026-11-22 12:00:
    ///
    /// | ticket | customer | priority | product | opened      | response    | resolved    |
    /// | t1     | acme     | urgent   | printer | 11-22 08:00 | 11-22 08:30 | 11-22 11:00 |
    /// | t2     | acme     | high     | printer | 11-20 12:00 | 11-20 18:00 | -           |
    /// | t3     | ana      | normal   | toner   | 11-01 09:00 | 11-01 10:00 | 11-05 09:00 |
    /// | t4     | ana      | low      | -       | 10-01 00:00 | -           | -           |
    /// | t5     | bob      | normal   | printer | 11-22 11:00 | -           | -           |
    /// | t6     | bob      | high     | printer | 11-23 09:00 (after the as-of date)      |
    fn dataset() -> Dataset {
        let mut data = Dataset::empty(settings());
        data.tickets = vec![
            ticket(
                "t1",
                "acme",
                Priority::Urgent,
                Some("printer"),
                "2026-11-22T08:00:00Z",
                Some("2026-11-22T08:30:00Z"),
                Some("2026-11-22T11:00:00Z"),
            ),
            ticket(
                "t2",
                "acme",
                Priority::High,
                Some("printer"),
                "2026-11-20T12:00:00Z",
                Some("2026-11-20T18:00:00Z"),
                None,
            ),
            ticket(
                "t3",
                "ana",
                Priority::Normal,
                Some("toner"),
                "2026-11-01T09:00:00Z",
                Some("2026-11-01T10:00:00Z"),
                Some("2026-11-05T09:00:00Z"),
            ),
            ticket(
                "t4",
                "ana",
                Priority::Low,
                None,
                "2026-10-01T00:00:00Z",
                None,
                None,
            ),
            ticket(
                "t5",
                "bob",
                Priority::Normal,
                Some("printer"),
                "2026-11-22T11:00:00Z",
                None,
                None,
            ),
            ticket(
                "t6",
                "bob",
                Priority::High,
                Some("printer"),
                "2026-11-23T09:00:00Z",
                None,
                None,
            ),
        ];
        data
    }

    fn run(since: Option<&str>) -> Service {
        let data = dataset().as_of(day("2026-11-22"));
        service(
            &Scope::all(&data, day("2026-11-22")),
            at("2026-11-22T12:00:00Z"),
            since.map(day),
        )
    }

    #[test]
    fn summary_and_medians() {
        let report = run(None);
        // First responses: t1 0.5 h, t2 6 h, t3 1 h -> sorted 0.5, 1, 6: median 1.
        // Resolutions: t1 3 h, t3 96 h -> (3 + 96) / 2 = 49.5.
        // First response missed: t2 (6 h > 4 h), t4 (none after 24 h).
        // Resolution missed: t2 (open after 24 h), t3 (96 h > 72 h), t4 (open after 168 h).
        assert_eq!(
            report.summary,
            Summary {
                tickets: 5,
                open: 3,
                resolved: 2,
                median_first_response_hours: Some(1.0),
                median_resolution_hours: Some(49.5),
                first_response_breaches: 2,
                resolution_breaches: 3,
            }
        );
    }

    #[test]
    fn open_tickets_by_age() {
        let report = run(None);
        let rows: Vec<(Priority, u64, [u64; 4], Option<f64>)> = report
            .open
            .iter()
            .map(|r| {
                (
                    r.priority,
                    r.open,
                    [
                        r.age_under_1d,
                        r.age_1_to_7d,
                        r.age_7_to_30d,
                        r.age_over_30d,
                    ],
                    r.oldest_age_days,
                )
            })
            .collect();
        // t2: 48 h = 2 days; t5: 1 h = 1/24 day; t4: from 10-01 00:00 to 11-22 12:00
        // is 31 + 21 days and 12 h = 52.5 days.
        assert_eq!(
            rows,
            [
                (Priority::Urgent, 0, [0, 0, 0, 0], None),
                (Priority::High, 1, [0, 1, 0, 0], Some(2.0)),
                (Priority::Normal, 1, [1, 0, 0, 0], Some(1.0 / 24.0)),
                (Priority::Low, 1, [0, 0, 0, 1], Some(52.5)),
            ]
        );
    }

    #[test]
    fn breaches_by_due_time() {
        let report = run(None);
        let rows: Vec<(&str, &str, Timestamp, Option<Timestamp>, f64)> = report
            .breaches
            .iter()
            .map(|b| (b.ticket.as_str(), b.sla, b.due, b.met, b.hours_late))
            .collect();
        // t4 first response due 10-02 00:00, pending at 11-22 12:00: 51 days 12 h = 1236 h.
        // t4 resolution due 10-08 00:00: 45 days 12 h = 1092 h.
        // t3 resolution due 11-01 09:00 + 72 h = 11-04 09:00, met 11-05 09:00: 24 h.
        // t2 first response due 11-20 16:00, met 18:00: 2 h.
        // t2 resolution due 11-21 12:00, pending: 24 h.
        assert_eq!(
            rows,
            [
                (
                    "t4",
                    "first_response",
                    at("2026-10-02T00:00:00Z"),
                    None,
                    1236.0
                ),
                ("t4", "resolution", at("2026-10-08T00:00:00Z"), None, 1092.0),
                (
                    "t3",
                    "resolution",
                    at("2026-11-04T09:00:00Z"),
                    Some(at("2026-11-05T09:00:00Z")),
                    24.0
                ),
                (
                    "t2",
                    "first_response",
                    at("2026-11-20T16:00:00Z"),
                    Some(at("2026-11-20T18:00:00Z")),
                    2.0
                ),
                ("t2", "resolution", at("2026-11-21T12:00:00Z"), None, 24.0),
            ]
        );
    }

    #[test]
    fn per_customer_and_product() {
        let report = run(None);
        let rows = |rows: &[CountRow]| -> Vec<(Option<String>, u64, u64, u64)> {
            rows.iter()
                .map(|r| (r.id.clone(), r.tickets, r.open, r.breached))
                .collect()
        };
        let some = |s: &str| Some(s.to_string());
        // acme: t1, t2 (open, breached); ana: t3 (breached), t4 (open, breached); bob: t5 (open).
        assert_eq!(
            rows(&report.customers),
            [
                (some("acme"), 2, 1, 1),
                (some("ana"), 2, 1, 2),
                (some("bob"), 1, 1, 0)
            ]
        );
        // printer: t1, t2, t5; toner: t3; no product: t4, last.
        assert_eq!(
            rows(&report.products),
            [
                (some("printer"), 3, 2, 1),
                (some("toner"), 1, 0, 1),
                (None, 1, 1, 1)
            ]
        );
    }

    #[test]
    fn a_period_limits_the_figures_but_not_the_backlog() {
        let report = run(Some("2026-11-15"));
        // t1, t2, t5: first responses 0.5 and 6 h -> 3.25; one resolution, 3 h.
        assert_eq!(report.summary.tickets, 3);
        assert_eq!(report.summary.median_first_response_hours, Some(3.25));
        assert_eq!(report.summary.median_resolution_hours, Some(3.0));
        assert_eq!(report.breaches.len(), 2);
        assert_eq!(report.open.iter().map(|r| r.open).sum::<u64>(), 3);
    }
}
