//! All records of a store in memory, as the checks and reports see them.

use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

use super::values::utc_date;
use super::{Asset, Campaign, Customer, Deal, Interaction, Order, Product, Settings, Ticket};

#[derive(Debug, Clone)]
pub struct Dataset {
    pub settings: Settings,
    pub customers: Vec<Customer>,
    pub interactions: Vec<Interaction>,
    pub deals: Vec<Deal>,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
    pub tickets: Vec<Ticket>,
    pub assets: Vec<Asset>,
    pub campaigns: Vec<Campaign>,
}

impl Dataset {
    pub fn empty(settings: Settings) -> Self {
        Dataset {
            settings,
            customers: Vec::new(),
            interactions: Vec::new(),
            deals: Vec::new(),
            products: Vec::new(),
            orders: Vec::new(),
            tickets: Vec::new(),
            assets: Vec::new(),
            campaigns: Vec::new(),
        }
    }

    /// The store as it stood at the end of `date`: interactions, orders and deals
    /// dated later are dropped, deals closed or moved later are rewound to their
    /// state on that day (tickets likewise), assets installed later are dropped
    /// and those retired later are in use again, and customers created later
    /// are dropped unless a record kept shows they were already there (history
    /// imported after the fact). Every report starts here, so a report for a
    /// past date can be rerun identically. (An asset
    /// keeps its current `last_service`: the visits before are interactions.)
    pub fn as_of(mut self, date: NaiveDate) -> Dataset {
        self.interactions.retain(|i| utc_date(&i.at) <= date);
        self.orders.retain(|o| utc_date(&o.at) <= date);
        self.deals.retain(|d| d.created <= date);
        for deal in &mut self.deals {
            deal.rewind_to(date);
        }
        self.tickets.retain(|t| utc_date(&t.opened) <= date);
        for ticket in &mut self.tickets {
            ticket.rewind_to(date);
        }
        self.assets
            .retain(|a| a.installed.is_none_or(|installed| installed <= date));
        for asset in &mut self.assets {
            // Retired later: still in use on that day.
            if asset.retired.is_some_and(|retired| retired > date) {
                asset.retired = None;
            }
        }
        // Usually no customer was created later: then no record is looked at.
        let mut unseen: HashMap<&str, usize> = (self.customers.iter().enumerate())
            .filter(|(_, c)| c.created.is_some_and(|created| created > date))
            .map(|(at, c)| (c.id.as_str(), at))
            .collect();
        let customers_of_records = (self.interactions.iter().map(|i| i.customer.as_str()))
            .chain(self.orders.iter().map(|o| o.customer.as_str()))
            .chain(self.deals.iter().map(|d| d.customer.as_str()))
            .chain(self.tickets.iter().map(|t| t.customer.as_str()))
            .chain(self.assets.iter().map(|a| a.customer.as_str()));
        for customer in customers_of_records {
            if unseen.is_empty() {
                break;
            }
            unseen.remove(customer);
        }
        let dropped: HashSet<usize> = unseen.into_values().collect();
        let mut at = 0;
        self.customers.retain(|_| {
            let keep = !dropped.contains(&at);
            at += 1;
            keep
        });
        self
    }

    pub fn products_by_id(&self) -> HashMap<&str, &Product> {
        self.products.iter().map(|p| (p.id.as_str(), p)).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::report::fixture::{contact, customer, dataset, date, deal, order};

    #[test]
    fn as_of_cuts_records_rewinds_deals_and_keeps_customers_with_history() {
        let mut early = customer("early");
        early.created = Some(date("2026-01-01"));
        // Created in the CRM later, but with an order from before: it existed.
        let mut imported = customer("imported");
        imported.created = Some(date("2026-09-01"));
        let mut late = customer("late");
        late.created = Some(date("2026-09-01"));
        let mut data = dataset(
            vec![early, imported, late],
            vec![
                order("imported", "2026-02-01", "10"),
                order("early", "2026-03-02", "10"),
            ],
        );
        data.interactions = vec![
            contact("early", "2026-03-01"),
            contact("early", "2026-03-02"),
        ];
        data.deals = vec![
            deal(
                "won-later",
                "early",
                "2026-02-01",
                "100",
                Some("2026-03-15"),
            ),
            deal("created-later", "early", "2026-03-05", "100", None),
        ];
        let data = data.as_of(date("2026-03-01"));
        let ids: Vec<&str> = data.customers.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["early", "imported"]);
        assert_eq!(data.orders.len(), 1);
        assert_eq!(data.interactions.len(), 1);
        assert_eq!(data.deals.len(), 1);
        let deal = &data.deals[0];
        assert!(deal.is_open() && deal.closed.is_none());
        assert_eq!(deal.stage, "qualification");
        assert_eq!(deal.history.len(), 1);
    }

    #[test]
    fn an_asset_retired_later_is_in_use_on_an_earlier_day() {
        let mut data = dataset(vec![customer("acme")], Vec::new());
        data.assets = vec![crate::model::Asset {
            id: "lp".into(),
            external_id: None,
            customer: "acme".into(),
            product: "printer".into(),
            serial: None,
            installed: Some(date("2025-01-01")),
            warranty_until: None,
            service_every_days: Some(30),
            last_service: None,
            retired: Some(date("2026-06-01")),
            conflicts: Vec::new(),
        }];
        let before = data.clone().as_of(date("2026-05-31"));
        assert_eq!(before.assets[0].retired, None);
        assert!(before.assets[0].next_service().is_some());
        let after = data.as_of(date("2026-06-01"));
        assert_eq!(after.assets[0].retired, Some(date("2026-06-01")));
    }
}
