//! `report campaign`: what a launched campaign's members did: contacted,
//! responded, and the deals and orders of its window. Definitions and
//! sources: docs/analytics.md.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

use super::{Report, Scope, ratio};
use crate::model::Campaign;
use crate::model::interaction::Direction;
use crate::model::values::{decimal, utc_date};
use crate::output::{Cell, Section, Table};

/// One member's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberRow {
    pub customer: String,
    pub contacted: bool,
    pub responded: bool,
    pub deals: u64,
    pub orders: u64,
    #[serde(with = "decimal")]
    pub revenue: Decimal,
}

/// `report campaign ID`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignReport {
    pub campaign: String,
    pub name: String,
    pub channel: String,
    /// The window deals, orders and responses count in; `null` before it starts.
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub members: u64,
    /// Members with a contact naming the campaign that was not inbound.
    pub contacted: u64,
    /// Members with an inbound contact in the window (naming this campaign or none).
    pub responded: u64,
    /// Deals of members created in the window, and their amount.
    pub deals: u64,
    #[serde(with = "decimal")]
    pub deal_amount: Decimal,
    /// Orders of members in the window, the members who placed them, and their value.
    pub orders: u64,
    pub buyers: u64,
    #[serde(with = "decimal")]
    pub revenue: Decimal,
    /// contacted / members, responded / members, buyers / members.
    pub contact_rate: Option<f64>,
    pub response_rate: Option<f64>,
    pub conversion_rate: Option<f64>,
    /// Per member, by customer id.
    pub customers: Vec<MemberRow>,
}

/// The results of `campaign` for its members among the selected customers, as
/// of `scope.as_of`.
pub fn campaign(scope: &Scope, campaign: &Campaign) -> CampaignReport {
    let window = campaign.window(scope.as_of);
    let in_window =
        |date: NaiveDate| window.is_some_and(|(start, end)| (start..=end).contains(&date));
    let mut rows: BTreeMap<&str, MemberRow> = campaign
        .members
        .iter()
        .filter(|m| scope.includes(m))
        .map(|m| {
            let row = MemberRow {
                customer: m.clone(),
                contacted: false,
                responded: false,
                deals: 0,
                orders: 0,
                revenue: Decimal::ZERO,
            };
            (m.as_str(), row)
        })
        .collect();
    let mut deal_amount = Decimal::ZERO;
    for i in scope.interactions() {
        let Some(row) = rows.get_mut(i.customer.as_str()) else {
            continue;
        };
        let names_this = i.campaign.as_deref() == Some(campaign.id.as_str());
        let inbound = i.direction == Some(Direction::Inbound);
        row.contacted |= names_this && !inbound;
        row.responded |=
            inbound && (names_this || i.campaign.is_none()) && in_window(utc_date(&i.at));
    }
    for d in scope.deals() {
        if let Some(row) = rows.get_mut(d.customer.as_str())
            && in_window(d.created)
        {
            row.deals += 1;
            // In the store's currency: one without an exchange rate is not summed.
            deal_amount += d
                .value_in_store_currency(&scope.data.settings)
                .unwrap_or_default();
        }
    }
    for o in scope.orders() {
        if let Some(row) = rows.get_mut(o.customer.as_str())
            && in_window(utc_date(&o.at))
        {
            row.orders += 1;
            row.revenue += o.value();
        }
    }
    let customers: Vec<MemberRow> = rows.into_values().collect();
    let members = customers.len() as u64;
    let count = |test: fn(&MemberRow) -> bool| customers.iter().filter(|r| test(r)).count() as u64;
    let contacted = count(|r| r.contacted);
    let responded = count(|r| r.responded);
    let buyers = count(|r| r.orders > 0);
    CampaignReport {
        campaign: campaign.id.clone(),
        name: campaign.name.clone(),
        channel: campaign.channel.clone(),
        start: window.map(|(start, _)| start),
        end: window.map(|(_, end)| end),
        members,
        contacted,
        responded,
        deals: customers.iter().map(|r| r.deals).sum(),
        deal_amount,
        orders: customers.iter().map(|r| r.orders).sum(),
        buyers,
        revenue: customers.iter().map(|r| r.revenue).sum(),
        contact_rate: ratio(contacted, members),
        response_rate: ratio(responded, members),
        conversion_rate: ratio(buyers, members),
        customers,
    }
}

impl Report for CampaignReport {
    fn title(&self) -> String {
        format!("Campaign {}", self.name)
    }

    fn sections(&self) -> Vec<Section> {
        let mut summary = Table::new(&[
            "campaign",
            "start",
            "end",
            "members",
            "contacted",
            "responded",
            "deals",
            "deal_amount",
            "orders",
            "buyers",
            "revenue",
            "contact_rate",
            "response_rate",
            "conversion_rate",
        ]);
        summary.push(vec![
            Cell::text(&self.campaign),
            self.start.into(),
            self.end.into(),
            Cell::Int(self.members as i64),
            Cell::Int(self.contacted as i64),
            Cell::Int(self.responded as i64),
            Cell::Int(self.deals as i64),
            Cell::Money(self.deal_amount),
            Cell::Int(self.orders as i64),
            Cell::Int(self.buyers as i64),
            Cell::Money(self.revenue),
            self.contact_rate.into(),
            self.response_rate.into(),
            self.conversion_rate.into(),
        ]);
        let yes_no = |flag: bool| Cell::text(if flag { "yes" } else { "no" });
        let mut members = Table::new(&[
            "customer",
            "contacted",
            "responded",
            "deals",
            "orders",
            "revenue",
        ]);
        for row in &self.customers {
            members.push(vec![
                Cell::text(&row.customer),
                yes_no(row.contacted),
                yes_no(row.responded),
                Cell::Int(row.deals as i64),
                Cell::Int(row.orders as i64),
                Cell::Money(row.revenue),
            ]);
        }
        vec![
            Section::new("summary", format!("Campaign {}", self.name), summary),
            Section::new("customers", "Members", members),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::parse_timestamp;
    use crate::model::{Dataset, Deal, Interaction, Order};
    use crate::report::funnel::tests::{day, deal, settings};
    use compact_str::CompactString;

    fn contact(
        customer: &str,
        at: &str,
        direction: Direction,
        campaign: Option<&str>,
    ) -> Interaction {
        Interaction {
            id: format!("{customer}-{at}").into(),
            direction: Some(direction),
            campaign: campaign.map(CompactString::from),
            ..Interaction::new(customer, parse_timestamp(at).unwrap(), "email")
        }
    }

    fn order(customer: &str, at: &str, total: i64) -> Order {
        Order {
            id: format!("{customer}-{at}").into(),
            total: Some(Decimal::from(total)),
            ..Order::new(customer, parse_timestamp(at).unwrap())
        }
    }

    fn deal_of(customer: &str, created: &str, amount: i64) -> Deal {
        let mut d = deal(
            &format!("{customer}-{created}"),
            None,
            amount,
            &[("qualification", created)],
        );
        d.customer = customer.into();
        d
    }

    /// "Autumn", members acme, ana, bob and cid, running 2026-10-01 to 10-31:
    /// - acme: contacted 09-30 (before the start still counts as contacted), a
    ///   deal created 09-15 (before the window).
    /// - ana: contacted 10-02, writes back 10-05 naming no campaign (a response),
    ///   a deal of 500 created 10-10, orders of 120 (10-20) and 80 (10-25).
    /// - bob: contacted 10-02, answers 10-06 naming another campaign (not this
    ///   one's response) and 11-05 (after the end); an order of 999 on 11-01.
    /// - cid: writes in 10-10 naming the campaign (a response, but not
    ///   contacted: inbound); an order of 50 late on the last day.
    /// - dan, not a member: contacted, a deal, an order: none of it counts.
    fn dataset() -> (Dataset, Campaign) {
        let mut data = Dataset::empty(settings());
        use Direction::{Inbound, Outbound};
        data.interactions = vec![
            contact("acme", "2026-09-30T09:00:00Z", Outbound, Some("autumn")),
            contact("ana", "2026-10-02T09:00:00Z", Outbound, Some("autumn")),
            contact("ana", "2026-10-05T09:00:00Z", Inbound, None),
            contact("bob", "2026-10-02T09:00:00Z", Outbound, Some("autumn")),
            contact("bob", "2026-10-06T09:00:00Z", Inbound, Some("spring")),
            contact("bob", "2026-11-05T09:00:00Z", Inbound, None),
            contact("cid", "2026-10-10T09:00:00Z", Inbound, Some("autumn")),
            contact("dan", "2026-10-02T09:00:00Z", Outbound, Some("autumn")),
        ];
        data.deals = vec![
            deal_of("acme", "2026-09-15", 700),
            deal_of("ana", "2026-10-10", 500),
            deal_of("dan", "2026-10-10", 300),
        ];
        data.orders = vec![
            order("acme", "2026-09-30T09:00:00Z", 40),
            order("ana", "2026-10-20T09:00:00Z", 120),
            order("ana", "2026-10-25T09:00:00Z", 80),
            order("cid", "2026-10-31T23:30:00Z", 50),
            order("bob", "2026-11-01T09:00:00Z", 999),
            order("dan", "2026-10-15T09:00:00Z", 10),
        ];
        let campaign = Campaign {
            id: "autumn".into(),
            name: "Autumn".into(),
            channel: "email".into(),
            segment: None,
            filter: Some("region = \"EU\"".into()),
            start: Some(day("2026-10-01")),
            end: Some(day("2026-10-31")),
            owner: None,
            launched: Some(parse_timestamp("2026-09-29T12:00:00Z").unwrap()),
            members: vec!["acme".into(), "ana".into(), "bob".into(), "cid".into()],
            excluded: Vec::new(),
            conflicts: Vec::new(),
            external_id: None,
        };
        (data, campaign)
    }

    #[test]
    fn figures_of_the_members_in_the_window() {
        let (data, autumn) = dataset();
        let data = data.as_of(day("2026-11-22"));
        let report = campaign(&Scope::all(&data, day("2026-11-22")), &autumn);
        // Contacted: acme, ana, bob (3 of 4); responded: ana, cid (2 of 4);
        // deals: ana's 500; orders: ana 120 + 80, cid 50 = 250 from 2 buyers.
        assert_eq!(
            (report.start, report.end),
            (Some(day("2026-10-01")), Some(day("2026-10-31")))
        );
        assert_eq!(
            (report.members, report.contacted, report.responded),
            (4, 3, 2)
        );
        assert_eq!((report.deals, report.deal_amount), (1, Decimal::from(500)));
        assert_eq!(
            (report.orders, report.buyers, report.revenue),
            (3, 2, Decimal::from(250))
        );
        assert_eq!(
            (
                report.contact_rate,
                report.response_rate,
                report.conversion_rate
            ),
            (Some(0.75), Some(0.5), Some(0.5))
        );
        let rows: Vec<(&str, bool, bool, u64, u64, Decimal)> = report
            .customers
            .iter()
            .map(|r| {
                (
                    r.customer.as_str(),
                    r.contacted,
                    r.responded,
                    r.deals,
                    r.orders,
                    r.revenue,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("acme", true, false, 0, 0, Decimal::ZERO),
                ("ana", true, true, 1, 2, Decimal::from(200)),
                ("bob", true, false, 0, 0, Decimal::ZERO),
                ("cid", false, true, 0, 1, Decimal::from(50)),
            ]
        );
    }

    #[test]
    fn before_the_window_nothing_counts_but_contacts() {
        let (data, autumn) = dataset();
        let data = data.as_of(day("2026-09-30"));
        let report = campaign(&Scope::all(&data, day("2026-09-30")), &autumn);
        assert_eq!((report.start, report.end), (None, None));
        assert_eq!(
            (report.contacted, report.responded, report.orders),
            (1, 0, 0)
        );
    }
}
