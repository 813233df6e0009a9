//! `relate recommend CUSTOMER`: a next-best-offer list. Upgrades for the
//! customer's ageing equipment first, then the products they do not have yet
//! (neither bought nor installed), ranked by the confidence, then the lift, of
//! the association rules from what they have (mined by [`super::basket`]), then
//! by how many customers of their RFM segment bought them. The rules:
//! docs/service.md.

use chrono::NaiveDate;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::Scope;
use super::basket::{self, Params, Rule};
use crate::error::Result;
use crate::figures::orders::order_stats;
use crate::figures::rfm;
use crate::model::{Dataset, Product};
use crate::output::{Cell, Table};

keyword_enum! {
    /// Why a product is offered.
    Basis "recommendation basis" {
        Upgrade => "upgrade",
        Rule => "rule",
        Segment => "segment",
    }
}

/// One offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    pub rank: u64,
    pub product: String,
    pub name: String,
    pub basis: Basis,
    /// Of the best rule from what the customer has to this product.
    pub confidence: Option<f64>,
    pub lift: Option<f64>,
    /// Share of the customer's peers (the other customers of their RFM segment,
    /// or every other buyer when they have none or are alone in it) who bought
    /// the product.
    pub popularity: Option<f64>,
    pub reason: String,
}

/// A product the customer does not have yet, with what speaks for it.
struct Candidate<'a> {
    product: &'a Product,
    rule: Option<&'a Rule>,
    popularity: f64,
}

impl Candidate<'_> {
    /// Highest confidence, then lift, then popularity first; then by product id.
    fn rank(&self, other: &Self) -> Ordering {
        let measure = |c: &Self, f: fn(&Rule) -> f64| c.rule.map_or(0.0, f);
        measure(other, |r| r.confidence)
            .total_cmp(&measure(self, |r| r.confidence))
            .then_with(|| measure(other, |r| r.lift).total_cmp(&measure(self, |r| r.lift)))
            .then_with(|| other.popularity.total_cmp(&self.popularity))
            .then_with(|| self.product.id.cmp(&other.product.id))
    }
}

/// At most `limit` offers for `customer`, from `data` cut to `as_of`, with rules
/// mined by `params` over every order.
pub fn recommend(
    data: &Dataset,
    customer: &str,
    as_of: NaiveDate,
    params: &Params,
    limit: usize,
) -> Result<Vec<Offer>> {
    let products = data.products_by_id();
    let mut offers = upgrades(data, customer, as_of, &products);
    let owned = owned_by(data, customer);
    let rules = basket::basket(&Scope::all(data, as_of), params)?.rules.0;
    let peers = Peers::of(data, customer, as_of);
    let mut best: HashMap<&str, &Rule> = HashMap::new();
    for rule in &rules {
        let [consequent] = rule.consequents.as_slice() else {
            continue;
        };
        if owned.contains(consequent.as_str())
            || !rule.antecedents.iter().all(|a| owned.contains(a.as_str()))
        {
            continue;
        }
        let better = best
            .get(consequent.as_str())
            .is_none_or(|held| (rule.confidence, rule.lift) > (held.confidence, held.lift));
        if better {
            best.insert(consequent, rule);
        }
    }
    let offered: HashSet<String> = offers.iter().map(|o| o.product.clone()).collect();
    let mut candidates: Vec<Candidate> = data
        .products
        .iter()
        .filter(|p| !owned.contains(p.id.as_str()) && !offered.contains(&p.id))
        .map(|p| Candidate {
            product: p,
            rule: best.get(p.id.as_str()).copied(),
            popularity: peers.popularity(&p.id),
        })
        .filter(|c| c.rule.is_some() || c.popularity > 0.0)
        .collect();
    candidates.sort_by(|a, b| a.rank(b));
    offers.extend(candidates.iter().map(|c| match c.rule {
        Some(rule) => Offer {
            rank: 0,
            product: c.product.id.clone(),
            name: c.product.name.clone(),
            basis: Basis::Rule,
            confidence: Some(rule.confidence),
            lift: Some(rule.lift),
            popularity: Some(c.popularity),
            reason: format!(
                "{:.0}% of the orders with {} also have {} (lift {:.2})",
                rule.confidence * 100.0,
                rule.antecedents.join(" + "),
                c.product.id,
                rule.lift
            ),
        },
        None => Offer {
            rank: 0,
            product: c.product.id.clone(),
            name: c.product.name.clone(),
            basis: Basis::Segment,
            confidence: None,
            lift: None,
            popularity: Some(c.popularity),
            reason: peers.reason(&c.product.id),
        },
    }));
    offers.truncate(limit);
    for (rank, offer) in (1..).zip(&mut offers) {
        offer.rank = rank;
    }
    Ok(offers)
}

/// The products the customer has: those in their orders and those of their
/// installed assets (equipment may predate the orders in the store).
fn owned_by<'a>(data: &'a Dataset, customer: &str) -> HashSet<&'a str> {
    let bought = data
        .orders
        .iter()
        .filter(|o| o.customer == customer)
        .flat_map(|o| o.lines.iter().map(|l| l.product.as_str()));
    let installed = data
        .assets
        .iter()
        .filter(|a| a.customer == customer)
        .map(|a| a.product.as_str());
    bought.chain(installed).collect()
}

/// The successor (else the same product) of each of the customer's assets past
/// its product's upgrade age, oldest installation first.
fn upgrades(
    data: &Dataset,
    customer: &str,
    as_of: NaiveDate,
    products: &HashMap<&str, &Product>,
) -> Vec<Offer> {
    let mut assets: Vec<_> = data
        .assets
        .iter()
        .filter(|a| a.customer == customer)
        .collect();
    assets.sort_by(|a, b| (a.installed, &a.id).cmp(&(b.installed, &b.id)));
    let mut offers: Vec<Offer> = Vec::new();
    for asset in assets {
        let Some(product) = products.get(asset.product.as_str()) else {
            continue;
        };
        if asset.upgrade_due(product).is_none_or(|due| due > as_of) {
            continue;
        }
        let offer = product
            .successor
            .as_deref()
            .and_then(|s| products.get(s))
            .unwrap_or(product);
        if offers.iter().any(|o| o.product == offer.id) {
            continue;
        }
        offers.push(Offer {
            rank: 0,
            product: offer.id.clone(),
            name: offer.name.clone(),
            basis: Basis::Upgrade,
            confidence: None,
            lift: None,
            popularity: None,
            reason: format!(
                "{} ({}, installed {}) is {} years old; {} is due for an upgrade after {} years",
                asset.id,
                product.id,
                asset.installed.map_or(String::new(), |d| d.to_string()),
                asset.age_years(as_of).unwrap_or_default(),
                product.id,
                product.upgrade_after_years.unwrap_or_default()
            ),
        });
    }
    offers
}

/// The customers a customer is compared with for popularity: the others of
/// their RFM segment, or every other buyer when they have no segment or are
/// alone in it.
struct Peers<'a> {
    segment: Option<rfm::Segment>,
    count: usize,
    /// How many peers bought each product.
    buyers: HashMap<&'a str, usize>,
}

impl<'a> Peers<'a> {
    fn of(data: &'a Dataset, customer: &str, as_of: NaiveDate) -> Peers<'a> {
        let scores = rfm::score(&data.customers, &order_stats(&data.orders, as_of), as_of);
        let mut segment = scores
            .iter()
            .find(|(id, _)| *id == customer)
            .map(|(_, rfm)| rfm.segment);
        let others = |segment: Option<rfm::Segment>| -> HashSet<&'a str> {
            scores
                .iter()
                .filter(|(id, rfm)| *id != customer && segment.is_none_or(|s| rfm.segment == s))
                .map(|(id, _)| *id)
                .collect()
        };
        let mut peers = others(segment);
        if peers.is_empty() {
            // Alone in their segment: compared with every other buyer instead.
            segment = None;
            peers = others(None);
        }
        let mut bought: HashSet<(&str, &str)> = HashSet::new();
        for order in data
            .orders
            .iter()
            .filter(|o| peers.contains(o.customer.as_str()))
        {
            for line in &order.lines {
                bought.insert((order.customer.as_str(), line.product.as_str()));
            }
        }
        let mut buyers: HashMap<&str, usize> = HashMap::new();
        for (_, product) in bought {
            *buyers.entry(product).or_default() += 1;
        }
        Peers {
            segment,
            count: peers.len(),
            buyers,
        }
    }

    fn popularity(&self, product: &str) -> f64 {
        match self.count {
            0 => 0.0,
            n => self.buyers.get(product).copied().unwrap_or(0) as f64 / n as f64,
        }
    }

    fn reason(&self, product: &str) -> String {
        let bought = self.buyers.get(product).copied().unwrap_or(0);
        match self.segment {
            Some(segment) => format!(
                "bought by {bought} of the {} other customers in RFM segment {segment}",
                self.count
            ),
            None => format!(
                "bought by {bought} of the {} other customers with orders",
                self.count
            ),
        }
    }
}

/// The offers as a table with the columns of their JSON objects.
pub fn table(offers: &[Offer]) -> Table {
    let mut table = Table::new(&[
        "rank",
        "product",
        "name",
        "basis",
        "confidence",
        "lift",
        "popularity",
        "reason",
    ]);
    for o in offers {
        table.push(vec![
            Cell::Int(o.rank as i64),
            Cell::text(&o.product),
            Cell::text(&o.name),
            Cell::text(o.basis.as_str()),
            o.confidence.into(),
            o.lift.into(),
            o.popularity.into(),
            Cell::text(&o.reason),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::customer::CustomerKind;
    use crate::model::values::parse_timestamp;
    use crate::model::{Asset, Customer, Line, Order};
    use crate::report::funnel::tests::{day, settings};
    use rust_decimal::Decimal;

    fn product(id: &str, upgrade_after_years: Option<u32>, successor: Option<&str>) -> Product {
        Product {
            id: id.into(),
            name: id.to_uppercase(),
            category: None,
            price: Decimal::ONE,
            cost: None,
            segment: None,
            upgrade_after_years,
            successor: successor.map(str::to_string),
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    fn order(customer: &str, date: &str, products: &[&str]) -> Order {
        Order {
            id: format!("{customer}-{date}").into(),
            customer: customer.into(),
            at: parse_timestamp(date).unwrap(),
            lines: products
                .iter()
                .map(|p| Line {
                    product: (*p).into(),
                    quantity: Decimal::ONE,
                    price: Decimal::ONE,
                })
                .collect(),
            total: None,
            payment_method: None,
            channel: None,
            deal: None,
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    /// Ten orders (transactions), as of 2026-11-22:
    ///
    /// | # | customer | date  | products              |
    /// | 1 | ana      | 09-01 | printer, toner        |
    /// | 2 | ana      | 11-20 | printer, toner, paper |
    /// | 3 | bob      | 09-05 | printer, toner        |
    /// | 4 | bob      | 10-15 | printer, paper        |
    /// | 5 | cid      | 08-01 | laptop, bag           |
    /// | 6 | cid      | 10-01 | laptop, bag, mouse    |
    /// | 7 | dan      | 09-10 | laptop, mouse         |
    /// | 8 | dan      | 11-01 | paper, stapler        |
    /// | 9 | zed      | 09-20 | printer               |
    /// |10 | zed      | 11-10 | laptop                |
    ///
    /// zed also has a laptop installed 2021-01-10; laptops are due for an
    /// upgrade after 4 years, their successor is laptop-2. Nobody bought cable.
    fn dataset() -> Dataset {
        let mut data = Dataset::empty(settings());
        data.products = vec![
            product("bag", None, None),
            product("cable", None, None),
            product("laptop", Some(4), Some("laptop-2")),
            product("laptop-2", None, None),
            product("mouse", None, None),
            product("paper", None, None),
            product("printer", None, None),
            product("stapler", None, None),
            product("toner", None, None),
        ];
        data.customers = ["ana", "bob", "cid", "dan", "zed"]
            .iter()
            .map(|id| Customer::new(id.to_string(), id.to_string(), CustomerKind::Person))
            .collect();
        data.orders = vec![
            order("ana", "2026-09-01", &["printer", "toner"]),
            order("ana", "2026-11-20", &["printer", "toner", "paper"]),
            order("bob", "2026-09-05", &["printer", "toner"]),
            order("bob", "2026-10-15", &["printer", "paper"]),
            order("cid", "2026-08-01", &["laptop", "bag"]),
            order("cid", "2026-10-01", &["laptop", "bag", "mouse"]),
            order("dan", "2026-09-10", &["laptop", "mouse"]),
            order("dan", "2026-11-01", &["paper", "stapler"]),
            order("zed", "2026-09-20", &["printer"]),
            order("zed", "2026-11-10", &["laptop"]),
        ];
        data.assets = vec![asset("zed", "laptop", "2021-01-10")];
        data
    }

    fn asset(customer: &str, product: &str, installed: &str) -> Asset {
        Asset {
            id: format!("{customer}-{product}"),
            customer: customer.into(),
            product: product.into(),
            serial: None,
            installed: Some(day(installed)),
            warranty_until: None,
            service_every_days: None,
            last_service: None,
            retired: None,
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    fn params() -> Params {
        Params {
            min_support: 0.01,
            min_confidence: 0.1,
            max_len: None,
        }
    }

    #[test]
    fn offers_for_zed() {
        let data = dataset().as_of(day("2026-11-22"));
        let offers = recommend(&data, "zed", day("2026-11-22"), &params(), 10).unwrap();
        let rows: Vec<_> = offers
            .iter()
            .map(|o| {
                (
                    o.rank,
                    o.product.as_str(),
                    o.basis,
                    o.confidence,
                    o.lift,
                    o.popularity,
                )
            })
            .collect();
        // zed bought printer and laptop. Supports over N = 10 orders: printer 5,
        // toner 3, paper 3, laptop 4, bag 2, mouse 2; together: printer+toner 3,
        // printer+paper 2, laptop+bag 2, laptop+mouse 2, printer+laptop 0.
        // - printer -> toner: confidence 3/5 = 0.6, lift 0.6 / (3/10) = 2
        // - laptop -> bag and laptop -> mouse: 2/4 = 0.5, lift 0.5 / (2/10) = 2.5
        // - printer -> paper: 2/5 = 0.4, lift 0.4 / (3/10) = 4/3
        // RFM (5 buyers, so each score is the rank): recency ana 2 days, zed 12,
        // dan 21, bob 38, cid 52 -> r 5, 4, 3, 2, 1; two orders each, ties by id
        // -> f ana 1, bob 2, cid 3, dan 4, zed 5. zed (4, 5) and dan (3, 4) are
        // loyal_customers: zed's only peer is dan, who bought laptop, mouse,
        // paper and stapler -> popularity 1 for mouse, paper, stapler; 0 for bag.
        // mouse and bag tie on confidence and lift: mouse's popularity wins.
        assert_eq!(
            rows,
            [
                (1, "laptop-2", Basis::Upgrade, None, None, None),
                (2, "toner", Basis::Rule, Some(0.6), Some(2.0), Some(0.0)),
                (3, "mouse", Basis::Rule, Some(0.5), Some(2.5), Some(1.0)),
                (4, "bag", Basis::Rule, Some(0.5), Some(2.5), Some(0.0)),
                (
                    5,
                    "paper",
                    Basis::Rule,
                    Some(0.4),
                    Some(4.0 / 3.0),
                    Some(1.0)
                ),
                (6, "stapler", Basis::Segment, None, None, Some(1.0)),
            ]
        );
        assert_eq!(
            offers[0].reason,
            "zed-laptop (laptop, installed 2021-01-10) is 5 years old; laptop is due for an upgrade after 4 years"
        );
        assert_eq!(
            offers[1].reason,
            "60% of the orders with printer also have toner (lift 2.00)"
        );
        assert_eq!(
            offers[5].reason,
            "bought by 1 of the 1 other customers in RFM segment loyal_customers"
        );
        let top = recommend(&data, "zed", day("2026-11-22"), &params(), 2).unwrap();
        assert_eq!(top.len(), 2);
    }

    #[test]
    fn installed_products_are_not_offered_and_their_rules_apply() {
        let mut data = dataset();
        data.assets.push(asset("zed", "stapler", "2025-05-01"));
        let data = data.as_of(day("2026-11-22"));
        let offers = recommend(&data, "zed", day("2026-11-22"), &params(), 10).unwrap();
        let rows: Vec<_> = offers
            .iter()
            .map(|o| (o.product.as_str(), o.basis, o.confidence, o.lift))
            .collect();
        // As in offers_for_zed, but zed has a stapler installed: it is no longer
        // offered, and the rule stapler -> paper now applies: paper is in 1 of
        // stapler's 1 orders, confidence 1, lift (1 x 10) / (1 x 3) = 10/3, which
        // beats printer -> paper (0.4) and every other rule.
        assert_eq!(
            rows,
            [
                ("laptop-2", Basis::Upgrade, None, None),
                ("paper", Basis::Rule, Some(1.0), Some(10.0 / 3.0)),
                ("toner", Basis::Rule, Some(0.6), Some(2.0)),
                ("mouse", Basis::Rule, Some(0.5), Some(2.5)),
                ("bag", Basis::Rule, Some(0.5), Some(2.5)),
            ]
        );
        assert_eq!(
            offers[1].reason,
            "100% of the orders with stapler also have paper (lift 3.33)"
        );
    }

    #[test]
    fn a_customer_without_orders_gets_what_buyers_bought() {
        let mut data = dataset();
        data.customers
            .push(Customer::new("new", "New".into(), CustomerKind::Person));
        let data = data.as_of(day("2026-11-22"));
        let offers = recommend(&data, "new", day("2026-11-22"), &params(), 3).unwrap();
        // No purchases, no rules apply; of the 5 buyers, printer was bought by 3
        // (ana, bob, zed) and laptop by 3 (cid, dan, zed): 0.6 each, then by id.
        let rows: Vec<(&str, Basis, Option<f64>)> = offers
            .iter()
            .map(|o| (o.product.as_str(), o.basis, o.popularity))
            .collect();
        assert_eq!(
            rows,
            [
                ("laptop", Basis::Segment, Some(0.6)),
                ("paper", Basis::Segment, Some(0.6)),
                ("printer", Basis::Segment, Some(0.6)),
            ]
        );
        assert_eq!(
            offers[0].reason,
            "bought by 3 of the 5 other customers with orders"
        );
    }

    #[test]
    fn a_customer_alone_in_their_segment_is_compared_with_every_buyer() {
        let data = dataset().as_of(day("2026-11-22"));
        // ana (r 5, f 1) is the only new_customers. She bought printer, toner and
        // paper; the one rule from them to something else is paper -> stapler:
        // 1 of paper's 3 orders, confidence 1/3, lift (1 x 10) / (3 x 1) = 10/3.
        // Her peers are the 4 other buyers: laptop bought by cid, dan, zed (3/4),
        // mouse by cid, dan (2/4), bag by cid (1/4), stapler by dan (1/4).
        let offers = recommend(&data, "ana", day("2026-11-22"), &params(), 10).unwrap();
        let rows: Vec<(&str, Basis, Option<f64>, Option<f64>)> = offers
            .iter()
            .map(|o| (o.product.as_str(), o.basis, o.confidence, o.popularity))
            .collect();
        assert_eq!(
            rows,
            [
                ("stapler", Basis::Rule, Some(1.0 / 3.0), Some(0.25)),
                ("laptop", Basis::Segment, None, Some(0.75)),
                ("mouse", Basis::Segment, None, Some(0.5)),
                ("bag", Basis::Segment, None, Some(0.25)),
            ]
        );
        assert_eq!(
            offers[1].reason,
            "bought by 3 of the 4 other customers with orders"
        );
    }
}
