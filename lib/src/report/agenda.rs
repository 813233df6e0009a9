//! `relate agenda`: what each team member has to do, from today to a horizon:
//! follow-ups, idle and overdue deals, tickets near or past their SLA,
//! maintenance, customers who slipped into the at_risk RFM segment and
//! customers whose predicted P(alive) fell below a threshold. Each item
//! carries the command that acts on it. The rules: docs/service.md.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

use crate::figures::clv::{self, FitMemo};
use crate::figures::orders::order_stats;
use crate::figures::rfm::{self, Segment};
use crate::model::consent;
use crate::model::interaction::Purpose;
use crate::model::ticket::Target;
use crate::model::values::{Timestamp, format_timestamp, midnight_utc, utc_date};
use crate::model::{Customer, Dataset, Deal, Interaction};
use crate::output::{Cell, Table};

keyword_enum! {
    /// What kind of thing needs doing.
    ItemKind "agenda item kind" {
        FollowUp => "follow_up",
        DealIdle => "deal_idle",
        DealOverdue => "deal_overdue",
        TicketSla => "ticket_sla",
        Maintenance => "maintenance",
        AtRisk => "at_risk",
        LikelyLost => "likely_lost",
    }
}

/// One thing to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Who should do it: the record's owner, else the customer's; `null` for nobody.
    pub owner: Option<String>,
    /// When it falls (or fell) due.
    pub due: NaiveDate,
    pub kind: ItemKind,
    pub customer: String,
    /// The record it is about (interaction, deal, ticket, asset or customer id).
    pub record: String,
    pub what: String,
    /// A command that acts on it.
    pub command: String,
}

/// Everything due from the past up to `days` after today, as of `now` (`data`
/// already cut to today), by owner (nobody last), due date, kind and customer;
/// the models behind P(alive) fitted as `fits` remembers them.
pub fn agenda(data: &Dataset, now: Timestamp, days: u32, fits: &dyn FitMemo) -> Vec<Item> {
    let today = utc_date(&now);
    let horizon = today
        .checked_add_days(Days::new(days.into()))
        .unwrap_or(NaiveDate::MAX);
    let run = Run {
        data,
        now,
        today,
        horizon,
        fits,
        customers: data.customers.iter().map(|c| (c.id.as_str(), c)).collect(),
    };
    // The RFM scores and BG/NBD fits behind the last two kinds take the
    // most time: each part is computed alone, on every core.
    let (mut items, (at_risk, lost)) = rayon::join(
        || {
            [
                run.follow_ups(),
                run.deals(),
                run.tickets(),
                run.maintenance(),
            ]
            .concat()
        },
        || rayon::join(|| run.slipped_into_at_risk(), || run.likely_lost()),
    );
    items.extend(at_risk);
    items.extend(lost);
    items.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    items
}

/// Owner (nobody last), due date, kind, customer, record.
fn order_key(item: &Item) -> (bool, &Option<String>, NaiveDate, ItemKind, &str, &str) {
    (
        item.owner.is_none(),
        &item.owner,
        item.due,
        item.kind,
        &item.customer,
        &item.record,
    )
}

struct Run<'a> {
    data: &'a Dataset,
    now: Timestamp,
    today: NaiveDate,
    horizon: NaiveDate,
    fits: &'a dyn FitMemo,
    customers: HashMap<&'a str, &'a Customer>,
}

impl Run<'_> {
    /// Who does it: the record's owner, else the customer's.
    fn owner(&self, record_owner: Option<&str>, customer: &str) -> Option<String> {
        record_owner
            .or_else(|| self.customers.get(customer)?.owner.as_deref())
            .map(str::to_string)
    }

    /// "in 3 days", "today", "2 days ago": how `date` stands to today.
    fn when(&self, date: NaiveDate) -> String {
        match (date - self.today).num_days() {
            0 => "today".into(),
            1 => "tomorrow".into(),
            -1 => "yesterday".into(),
            n if n > 0 => format!("in {n} days"),
            n => format!("{} days ago", -n),
        }
    }

    /// Whether the customer's consent allows marketing on the channel of `i`
    /// now (a customer without a file has none to give).
    fn may_market(&self, i: &Interaction) -> bool {
        self.customers.get(i.customer.as_str()).is_some_and(|c| {
            let settings = &self.data.settings;
            consent::standing(
                &c.consent,
                settings,
                &i.channel,
                Purpose::Marketing,
                &self.now,
            )
            .allows()
        })
    }

    /// A follow-up is pending while no later contact with the customer is
    /// logged: the next contact fulfils it. A marketing follow-up that
    /// consent forbids on its channel is not proposed.
    fn follow_ups(&self) -> Vec<Item> {
        // Hashed fast (foldhash): once per interaction, a million times.
        let mut latest: foldhash::HashMap<&str, Timestamp> = HashMap::default();
        for i in &self.data.interactions {
            let last = latest.entry(i.customer.as_str()).or_insert(i.at);
            *last = (*last).max(i.at);
        }
        // The follow-up date first: few contacts set one, so the rest are
        // never looked up.
        self.data
            .interactions
            .iter()
            .filter_map(|i| Some((i, i.follow_up.filter(|due| *due <= self.horizon)?)))
            .filter(|(i, _)| latest.get(i.customer.as_str()) == Some(&i.at))
            .filter(|(i, _)| i.purpose != Some(Purpose::Marketing) || self.may_market(i))
            .map(|(i, due)| {
                let about = i.summary.as_deref().unwrap_or(&i.channel);
                let what = format!(
                    "follow up {} on \"{about}\" ({})",
                    self.when(due),
                    utc_date(&i.at)
                );
                let command = format!(
                    "relate log {} --channel {} --summary {}",
                    i.customer,
                    i.channel,
                    shell_quote(&format!("Follow-up: {about}"))
                );
                Item {
                    owner: self.owner(i.owner.as_deref(), &i.customer),
                    due,
                    kind: ItemKind::FollowUp,
                    customer: i.customer.to_string(),
                    record: i.id.to_string(),
                    what,
                    command,
                }
            })
            .collect()
    }

    /// Open deals idle longer than their stage's `idle_days`, and open deals whose
    /// expected close date falls by the horizon.
    fn deals(&self) -> Vec<Item> {
        let mut last_contact: foldhash::HashMap<&str, NaiveDate> = HashMap::default();
        for i in &self.data.interactions {
            if let Some(deal) = &i.deal {
                let date = utc_date(&i.at);
                let last = last_contact.entry(deal.as_str()).or_insert(date);
                *last = (*last).max(date);
            }
        }
        let mut items = Vec::new();
        for deal in self.data.deals.iter().filter(|d| d.is_open()) {
            items.extend(self.idle(deal, last_contact.get(deal.id.as_str()).copied()));
            if let Some(close) = deal.expected_close.filter(|close| *close <= self.horizon) {
                let what = format!(
                    "\"{}\" expected to close {} ({close}): win it, or lose it with --reason",
                    deal.title,
                    self.when(close)
                );
                items.push(Item {
                    owner: self.owner(deal.owner.as_deref(), &deal.customer),
                    due: close,
                    kind: ItemKind::DealOverdue,
                    customer: deal.customer.clone(),
                    record: deal.id.clone(),
                    what,
                    command: format!("relate deal win {}", deal.id),
                });
            }
        }
        items
    }

    fn idle(&self, deal: &Deal, last_contact: Option<NaiveDate>) -> Option<Item> {
        let stage = &self.data.settings.pipeline[self.data.settings.stage_index(&deal.stage)?];
        let limit = stage.idle_days?;
        let last_move = deal.history.last().map_or(deal.created, |m| m.at);
        let last = last_contact.map_or(last_move, |contact| contact.max(last_move));
        // Idle on the first day more than `limit` days after the last activity.
        let due = last.checked_add_days(Days::new(u64::from(limit) + 1))?;
        (due <= self.horizon).then(|| {
            let what = format!(
                "\"{}\" idle in {} since {last} (limit {limit} days)",
                deal.title, deal.stage
            );
            Item {
                owner: self.owner(deal.owner.as_deref(), &deal.customer),
                due,
                kind: ItemKind::DealIdle,
                customer: deal.customer.clone(),
                record: deal.id.clone(),
                what,
                command: format!("relate deal advance {}", deal.id),
            }
        })
    }

    /// Open tickets whose next SLA clock (the first response until there is
    /// one, then the resolution) runs out by the end of the horizon.
    fn tickets(&self) -> Vec<Item> {
        let end = self.horizon.succ_opt().map_or(self.now, midnight_utc);
        let settings = &self.data.settings;
        self.data
            .tickets
            .iter()
            .filter(|t| t.is_open())
            .filter_map(|t| {
                let deadline = t.sla(settings)?.into_iter().find(|d| d.met.is_none())?;
                (deadline.due < end).then(|| {
                    let state = if deadline.breached(&self.now) {
                        "overdue since"
                    } else {
                        "due"
                    };
                    let (target, command) = match deadline.target {
                        Target::FirstResponse => (
                            "first response",
                            format!(
                                "relate log {} --ticket {} --channel email --summary {}",
                                t.customer,
                                t.id,
                                shell_quote(&format!("Re: {}", t.subject))
                            ),
                        ),
                        Target::Resolution => {
                            ("resolution", format!("relate ticket resolve {}", t.id))
                        }
                    };
                    let what = format!(
                        "{} ticket \"{}\": {target} {state} {}",
                        t.priority,
                        t.subject,
                        format_timestamp(&deadline.due)
                    );
                    Item {
                        owner: self.owner(t.owner.as_deref(), &t.customer),
                        due: utc_date(&deadline.due),
                        kind: ItemKind::TicketSla,
                        customer: t.customer.clone(),
                        record: t.id.clone(),
                        what,
                        command,
                    }
                })
            })
            .collect()
    }

    fn maintenance(&self) -> Vec<Item> {
        self.data
            .assets
            .iter()
            .filter_map(|a| {
                let due = a.next_service().filter(|due| *due <= self.horizon)?;
                let last = a
                    .last_service
                    .map_or("never serviced".to_string(), |last| format!("last {last}"));
                let what = format!(
                    "maintenance of {} due {} ({last})",
                    a.product,
                    self.when(due)
                );
                Some(Item {
                    owner: self.owner(None, &a.customer),
                    due,
                    kind: ItemKind::Maintenance,
                    customer: a.customer.clone(),
                    record: a.id.clone(),
                    what,
                    command: format!("relate asset service {}", a.id),
                })
            })
            .collect()
    }

    /// Customers whose RFM segment is at_risk today but was not at_risk
    /// `agenda.at_risk_lookback_days` ago.
    fn slipped_into_at_risk(&self) -> Vec<Item> {
        let lookback = self.data.settings.agenda.at_risk_lookback_days;
        let Some(before) = self.today.checked_sub_days(Days::new(lookback.into())) else {
            return Vec::new();
        };
        let segments = |date: NaiveDate| -> foldhash::HashMap<&str, Segment> {
            let orders = order_stats(&self.data.orders, date);
            rfm::score(&self.data.customers, &orders, date)
                .into_iter()
                .map(|(id, rfm)| (id, rfm.segment))
                .collect()
        };
        let (now, then) = rayon::join(|| segments(self.today), || segments(before));
        let mut customers: Vec<&Customer> = self
            .data
            .customers
            .iter()
            .filter(|c| now.get(c.id.as_str()) == Some(&Segment::AtRisk))
            .filter(|c| then.get(c.id.as_str()) != Some(&Segment::AtRisk))
            .collect();
        customers.sort_by(|a, b| a.id.cmp(&b.id));
        customers
            .into_iter()
            .map(|c| {
                let was = then
                    .get(c.id.as_str())
                    .map_or("not yet scored", |segment| segment.as_str());
                let what = format!("slipped into at_risk (on {before}: {was})");
                Item {
                    owner: self.owner(None, &c.id),
                    due: self.today,
                    kind: ItemKind::AtRisk,
                    customer: c.id.to_string(),
                    record: c.id.to_string(),
                    what,
                    command: format!("relate recommend {}", c.id),
                }
            })
            .collect()
    }
}

impl Run<'_> {
    /// Days before today that P(alive) is compared with.
    const P_ALIVE_LOOKBACK_DAYS: u64 = 7;

    /// Customers whose BG/NBD P(alive) (`report clv`'s default fit, refitted on
    /// each date) is below `agenda.p_alive_threshold` today and was at or above
    /// it seven days ago. Nothing when the threshold is 0 or either fit fails
    /// (too few repeat customers).
    fn likely_lost(&self) -> Vec<Item> {
        let threshold = rust_decimal::prelude::ToPrimitive::to_f64(
            &self.data.settings.agenda.p_alive_threshold,
        )
        .unwrap_or(0.0);
        let Some(before) = self
            .today
            .checked_sub_days(Days::new(Self::P_ALIVE_LOOKBACK_DAYS))
        else {
            return Vec::new();
        };
        if threshold <= 0.0 {
            return Vec::new();
        }
        let period = clv::Options::default().period;
        let p_alive = |date: NaiveDate| clv::p_alive(self.data, date, period, self.fits);
        let (Ok(now), Ok(then)) = rayon::join(|| p_alive(self.today), || p_alive(before)) else {
            return Vec::new();
        };
        let mut lost: Vec<(&str, f64, f64)> = now
            .iter()
            .filter(|(_, p)| **p < threshold)
            .filter_map(|(id, p)| Some((*id, *p, *then.get(id).filter(|t| **t >= threshold)?)))
            .collect();
        lost.sort_by(|a, b| a.0.cmp(b.0));
        lost.into_iter()
            .map(|(id, p, was)| Item {
                owner: self.owner(None, id),
                due: self.today,
                kind: ItemKind::LikelyLost,
                customer: id.to_string(),
                record: id.to_string(),
                what: format!("P(alive) fell below {threshold} to {p:.2} (on {before}: {was:.2})"),
                command: format!("relate recommend {id}"),
            })
            .collect()
    }
}

/// A word for a POSIX shell: as it is when it is safe, else single-quoted.
fn shell_quote(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:@,+=".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The agenda as a table with the columns of its JSON objects.
pub fn table(items: &[Item]) -> Table {
    let mut table = Table::new(&[
        "owner", "due", "kind", "customer", "record", "what", "command",
    ]);
    for item in items {
        table.push(vec![
            item.owner.as_deref().into(),
            Cell::Date(item.due),
            Cell::text(item.kind.as_str()),
            Cell::text(&item.customer),
            Cell::text(&item.record),
            Cell::text(&item.what),
            Cell::text(&item.command),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::clv::NoMemo;
    use crate::model::customer::CustomerKind;
    use crate::model::settings::Priority;
    use crate::model::values::parse_timestamp;
    use crate::model::{Asset, Interaction, Order};
    use crate::report::funnel::tests::{day, deal, settings};
    use crate::report::service::tests::ticket;

    fn contact(id: &str, customer: &str, at: &str, follow_up: Option<&str>) -> Interaction {
        Interaction {
            id: id.into(),
            customer: customer.into(),
            at: parse_timestamp(at).unwrap(),
            channel: "phone".into(),
            direction: None,
            purpose: None,
            owner: Some("alice".into()),
            summary: Some("Renewal call".into()),
            body: None,
            deal: None,
            ticket: None,
            campaign: None,
            follow_up: follow_up.map(day),
            score: None,
            conflicts: Vec::new(),
            external_id: None,
            message_id: None,
        }
    }

    fn kinds(items: &[Item]) -> Vec<(ItemKind, &str, NaiveDate)> {
        items
            .iter()
            .map(|i| (i.kind, i.record.as_str(), i.due))
            .collect()
    }

    /// Today is 2026-11-22 12:00 UTC.
    fn now() -> Timestamp {
        parse_timestamp("2026-11-22T12:00:00Z").unwrap()
    }

    #[test]
    fn a_follow_up_is_pending_until_the_next_contact() {
        let mut data = Dataset::empty(settings());
        data.interactions = vec![
            // acme: due 11-20, nothing since: overdue.
            contact("i1", "acme", "2026-11-10T09:00:00Z", Some("2026-11-20")),
            // ana: due 11-21, but a later contact fulfilled it.
            contact("i2", "ana", "2026-11-10T09:00:00Z", Some("2026-11-21")),
            contact("i3", "ana", "2026-11-15T09:00:00Z", None),
            // bob: due 11-25: three days ahead.
            contact("i4", "bob", "2026-11-15T09:00:00Z", Some("2026-11-25")),
            // cid: another contact at the same moment is not a later one.
            contact("i5", "cid", "2026-11-15T09:00:00Z", Some("2026-11-22")),
            contact("i6", "cid", "2026-11-15T10:00:00+01:00", None),
        ];
        assert_eq!(
            kinds(&agenda(&data, now(), 0, &NoMemo)),
            [
                (ItemKind::FollowUp, "i1", day("2026-11-20")),
                (ItemKind::FollowUp, "i5", day("2026-11-22")),
            ]
        );
        let items = agenda(&data, now(), 3, &NoMemo);
        assert_eq!(
            kinds(&items),
            [
                (ItemKind::FollowUp, "i1", day("2026-11-20")),
                (ItemKind::FollowUp, "i5", day("2026-11-22")),
                (ItemKind::FollowUp, "i4", day("2026-11-25")),
            ]
        );
        assert_eq!(
            items[0].command,
            "relate log acme --channel phone --summary 'Follow-up: Renewal call'"
        );
        assert_eq!(
            items[0].what,
            "follow up 2 days ago on \"Renewal call\" (2026-11-10)"
        );
        assert_eq!(items[2].owner.as_deref(), Some("alice"));
    }

    #[test]
    fn idle_and_overdue_deals() {
        let mut data = Dataset::empty(settings());
        // Default idle limits: qualification 14, proposal 10 days.
        // d1: in qualification since 11-01, last contact 11-05: idle from
        // 11-05 + 15 = 11-20.
        let d1 = deal("d1", Some("bob"), 100, &[("qualification", "2026-11-01")]);
        // d2: moved to proposal 11-12: idle from 11-12 + 11 = 11-23, tomorrow.
        let mut d2 = deal(
            "d2",
            Some("bob"),
            100,
            &[("qualification", "2026-11-01"), ("proposal", "2026-11-12")],
        );
        d2.expected_close = Some(day("2026-11-21"));
        // d3: closed: never on the agenda.
        let d3 = deal(
            "d3",
            Some("bob"),
            100,
            &[("qualification", "2026-01-01"), ("won", "2026-02-01")],
        );
        data.deals = vec![d1, d2, d3];
        let mut about_d1 = contact("i1", "acme", "2026-11-05T09:00:00Z", None);
        about_d1.deal = Some("d1".into());
        data.interactions = vec![about_d1];
        assert_eq!(
            kinds(&agenda(&data, now(), 0, &NoMemo)),
            [
                (ItemKind::DealIdle, "d1", day("2026-11-20")),
                (ItemKind::DealOverdue, "d2", day("2026-11-21")),
            ]
        );
        let items = agenda(&data, now(), 1, &NoMemo);
        assert_eq!(items.len(), 3);
        assert_eq!(items[2].kind, ItemKind::DealIdle);
        assert_eq!(items[2].command, "relate deal advance d2");
        assert_eq!(items[1].command, "relate deal win d2");
    }

    #[test]
    fn tickets_near_or_past_their_sla() {
        let mut data = Dataset::empty(settings());
        data.tickets = vec![
            // High: first response due 11-22 08:00 + 4 h = 12:00, now: due, not yet past.
            ticket(
                "t1",
                "acme",
                Priority::High,
                None,
                "2026-11-22T08:00:00Z",
                None,
                None,
            ),
            // Normal, responded: resolution due 11-21 09:00 + 72 h = 11-24 09:00.
            ticket(
                "t2",
                "acme",
                Priority::Normal,
                None,
                "2026-11-21T09:00:00Z",
                Some("2026-11-21T10:00:00Z"),
                None,
            ),
            // Resolved: done.
            ticket(
                "t3",
                "acme",
                Priority::Urgent,
                None,
                "2026-11-22T08:00:00Z",
                None,
                Some("2026-11-22T09:00:00Z"),
            ),
        ];
        let items = agenda(&data, now(), 0, &NoMemo);
        assert_eq!(
            kinds(&items),
            [(ItemKind::TicketSla, "t1", day("2026-11-22"))]
        );
        assert_eq!(
            items[0].what,
            "high ticket \"t1\": first response due 2026-11-22T12:00:00Z"
        );
        assert_eq!(
            items[0].command,
            "relate log acme --ticket t1 --channel email --summary 'Re: t1'"
        );
        let items = agenda(&data, now(), 2, &NoMemo);
        assert_eq!(items[1].record, "t2");
        assert_eq!(items[1].command, "relate ticket resolve t2");
    }

    #[test]
    fn maintenance_due() {
        let mut data = Dataset::empty(settings());
        data.customers = vec![Customer::new(
            "acme",
            "Acme".into(),
            CustomerKind::Organization,
        )];
        data.customers[0].owner = Some("carol".into());
        data.assets = vec![Asset {
            id: "acme-printer".into(),
            customer: "acme".into(),
            product: "printer".into(),
            serial: None,
            installed: Some(day("2026-01-01")),
            warranty_until: None,
            service_every_days: Some(300),
            last_service: None,
            retired: None,
            conflicts: Vec::new(),
            external_id: None,
        }];
        // From 2026-01-01: 09-30 is 272 days on, so 300 days is 10-28.
        let items = agenda(&data, now(), 0, &NoMemo);
        assert_eq!(
            kinds(&items),
            [(ItemKind::Maintenance, "acme-printer", day("2026-10-28"))]
        );
        assert_eq!(
            items[0].owner.as_deref(),
            Some("carol"),
            "the customer's owner"
        );
        assert_eq!(items[0].command, "relate asset service acme-printer");
    }

    /// Five buyers as of 2026-11-22, with the orders (dates) below. Now:
    /// recency a 2 days, b 7, c 12, x 33, d 113 -> r 5, 4, 3, 2, 1 (with five
    /// buyers each score is the rank); orders c 1, d 2, x 3, b 4, a 5 -> f 1..5
    /// in that order. x is (2, 3): at_risk; d (1, 2) hibernating.
    /// 30 days earlier (10-23), c has no order yet; of the four others, x's last
    /// order (10-20) is the most recent: r 5, and with 3 orders f 4 (d 2, b 3,
    /// x 3, a 4; ties by id, four ranks give quintiles 1, 2, 4, 5): champions.
    /// So x slipped into at_risk; nobody else is at_risk now.
    #[test]
    fn customers_who_slipped_into_at_risk() {
        let mut data = Dataset::empty(settings());
        let orders: [(&str, &[&str]); 5] = [
            ("a", &["06-01", "07-01", "08-01", "09-01", "11-20"]),
            ("b", &["07-01", "08-01", "09-01", "11-15"]),
            ("c", &["11-10"]),
            ("d", &["07-01", "08-01"]),
            ("x", &["08-01", "08-15", "10-20"]),
        ];
        for (customer, dates) in orders {
            let mut c = Customer::new(customer, customer.into(), CustomerKind::Person);
            c.owner = Some("dan".into());
            data.customers.push(c);
            for date in dates {
                data.orders.push(Order {
                    id: format!("{customer}-{date}").into(),
                    customer: customer.into(),
                    at: parse_timestamp(&format!("2026-{date}")).unwrap(),
                    lines: Vec::new(),
                    total: Some(rust_decimal::Decimal::TEN),
                    payment_method: None,
                    channel: None,
                    deal: None,
                    conflicts: Vec::new(),
                    external_id: None,
                });
            }
        }
        let items = agenda(&data, now(), 0, &NoMemo);
        assert_eq!(kinds(&items), [(ItemKind::AtRisk, "x", day("2026-11-22"))]);
        assert_eq!(
            items[0].what,
            "slipped into at_risk (on 2026-10-23: champions)"
        );
        assert_eq!(items[0].command, "relate recommend x");
        assert_eq!(items[0].owner.as_deref(), Some("dan"));
    }

    #[test]
    fn quoting_for_the_shell() {
        assert_eq!(shell_quote("acme-corp"), "acme-corp");
        assert_eq!(shell_quote("Re: it's broken"), r"'Re: it'\''s broken'");
        assert_eq!(shell_quote(""), "''");
    }
}
