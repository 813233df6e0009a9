//! Per-customer figures computed from a customer's records up to an as-of date:
//! what filters test and what reports add up. Each is one pass over its kind of
//! record into a map keyed by customer id.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;

use super::clv::{self, ClvFacts};
use super::orders::{StatsById, order_stats};
use super::rfm::{self, Rfm};
use crate::model::values::utc_date;
use crate::model::{Dataset, Deal, Interaction, Kind, Settings};

/// Contacts count as recent when logged in the 90 days ending on the as-of date.
pub const RECENT_DAYS: i64 = 90;

/// Whether `date` lies in the [`RECENT_DAYS`] days ending on `as_of` (both included).
pub fn is_recent(date: NaiveDate, as_of: NaiveDate) -> bool {
    let days_before = (as_of - date).num_days();
    (0..RECENT_DAYS).contains(&days_before)
}

/// A customer's logged contacts up to the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactStats {
    pub count: u64,
    /// Contacts in the last [`RECENT_DAYS`] days.
    pub recent: u64,
    pub last: NaiveDate,
}

pub fn contact_stats<'a>(
    interactions: impl IntoIterator<Item = &'a Interaction>,
    as_of: NaiveDate,
) -> HashMap<&'a str, ContactStats> {
    let mut stats: HashMap<&str, ContactStats> = HashMap::new();
    for interaction in interactions {
        let date = utc_date(&interaction.at);
        if date > as_of {
            continue;
        }
        let recent = u64::from(is_recent(date, as_of));
        stats
            .entry(interaction.customer.as_str())
            .and_modify(|s| {
                s.count += 1;
                s.recent += recent;
                s.last = s.last.max(date);
            })
            .or_insert(ContactStats {
                count: 1,
                recent,
                last: date,
            });
    }
    stats
}

/// A customer's deals as they stood on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DealStats {
    pub open: u64,
    pub open_amount: Decimal,
    pub won: u64,
}

pub fn deal_stats<'a>(
    deals: impl IntoIterator<Item = &'a Deal>,
    settings: &crate::model::Settings,
    as_of: NaiveDate,
) -> HashMap<&'a str, DealStats> {
    let mut stats: HashMap<&str, DealStats> = HashMap::new();
    for deal in deals {
        let won = deal.outcome == Some(crate::model::deal::Outcome::Won)
            && deal.closed.is_some_and(|closed| closed <= as_of);
        let open = deal.is_open_on(as_of);
        if !open && !won {
            continue;
        }
        let entry = stats.entry(deal.customer.as_str()).or_default();
        if open {
            entry.open += 1;
            // A deal in a currency without an exchange rate is not summed.
            entry.open_amount += deal.value_in_store_currency(settings).unwrap_or_default();
        }
        entry.won += u64::from(won);
    }
    stats
}

/// Which figures a filter or report needs, so that only those are computed and
/// only the kinds of record behind them are loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    pub orders: bool,
    pub contacts: bool,
    pub deals: bool,
    pub rfm: bool,
    /// The BG/NBD and Gamma-Gamma predictions (a model fit: the costliest).
    pub clv: bool,
}

impl Needs {
    pub const ALL: Needs = Needs {
        orders: true,
        contacts: true,
        deals: true,
        rfm: true,
        clv: true,
    };

    pub fn union(self, other: Needs) -> Needs {
        Needs {
            orders: self.orders || other.orders,
            contacts: self.contacts || other.contacts,
            deals: self.deals || other.deals,
            rfm: self.rfm || other.rfm,
            clv: self.clv || other.clv,
        }
    }

    /// The kinds of record to load: customers, and those the figures come from.
    pub fn kinds(self) -> Vec<Kind> {
        let mut kinds = vec![Kind::Customer];
        if self.orders || self.rfm || self.clv {
            kinds.push(Kind::Order);
        }
        if self.clv {
            // The CLV's margin comes from the products' costs.
            kinds.push(Kind::Product);
        }
        if self.contacts {
            kinds.push(Kind::Interaction);
        }
        if self.deals {
            kinds.push(Kind::Deal);
        }
        kinds
    }
}

/// The figures of every customer as of a date; maps without an entry for a
/// customer mean "none" (no orders, no contacts, ...), and maps that were not
/// needed stay empty.
#[derive(Debug)]
pub struct Facts<'a> {
    pub as_of: NaiveDate,
    pub settings: &'a Settings,
    pub orders: StatsById<'a>,
    pub contacts: HashMap<&'a str, ContactStats>,
    pub deals: HashMap<&'a str, DealStats>,
    /// RFM scores, relative to every customer of `data` with an order.
    pub rfm: HashMap<&'a str, Rfm>,
    /// The `clv.*` figures, fitted on every customer of `data` with an order;
    /// empty when the models cannot be fitted.
    pub clv: HashMap<&'a str, ClvFacts>,
}

impl<'a> Facts<'a> {
    pub fn build(data: &'a Dataset, as_of: NaiveDate, needs: Needs) -> Facts<'a> {
        let orders = if needs.orders || needs.rfm {
            order_stats(&data.orders, as_of)
        } else {
            StatsById::default()
        };
        let rfm = if needs.rfm {
            rfm::score(&data.customers, &orders, as_of)
                .into_iter()
                .collect()
        } else {
            HashMap::new()
        };
        Facts {
            as_of,
            settings: &data.settings,
            contacts: if needs.contacts {
                contact_stats(&data.interactions, as_of)
            } else {
                HashMap::new()
            },
            deals: if needs.deals {
                deal_stats(&data.deals, &data.settings, as_of)
            } else {
                HashMap::new()
            },
            clv: if needs.clv {
                clv::facts(data, as_of)
            } else {
                HashMap::new()
            },
            orders,
            rfm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        crate::model::values::parse_date(text).unwrap()
    }

    #[test]
    fn recent_means_the_90_days_ending_on_the_as_of_date() {
        let as_of = date("2026-03-31");
        assert!(is_recent(date("2026-03-31"), as_of));
        // 2026-03-31 minus 89 days = 2026-01-01 (31 + 28 + 30 = 89): the 90th day back.
        assert!(is_recent(date("2026-01-01"), as_of));
        assert!(!is_recent(date("2025-12-31"), as_of));
        assert!(!is_recent(date("2026-04-01"), as_of));
    }
}
