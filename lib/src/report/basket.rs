//! `report basket`: market basket analysis over orders.
//!
//! A transaction is the set of distinct products of one order (orders without
//! lines carry no products and are left out). Frequent itemsets are mined
//! depth-first over transaction-id lists (Eclat, Zaki 2000), with the pairs
//! first counted directly from the transactions as Apriori does (Agrawal &
//! Srikant 1994), so only frequent pairs cost an intersection. Rules and their
//! measures follow mlxtend's `association_rules`. Items are integer indices and
//! transaction-id lists sorted vectors: no strings in the mining loops.

use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use super::{Report, Scope};
use crate::error::{Error, Result};
use crate::output::{Cell, Section, Table};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Least share of transactions an itemset must appear in, in (0, 1].
    pub min_support: f64,
    /// Least confidence of a rule, in [0, 1].
    pub min_confidence: f64,
    /// Largest itemset size; `None` for no limit.
    pub max_len: Option<usize>,
}

impl Params {
    pub fn validate(&self) -> Result<()> {
        let fraction_hint = "give a fraction such as 0.05 (5 %)";
        if !(self.min_support > 0.0 && self.min_support <= 1.0) {
            return Err(Error::usage(format!(
                "--min-support {} is not above 0 and at most 1",
                self.min_support
            ))
            .with_hint(fraction_hint));
        }
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err(Error::usage(format!(
                "--min-confidence {} is not between 0 and 1",
                self.min_confidence
            ))
            .with_hint(fraction_hint));
        }
        if self.max_len == Some(0) {
            return Err(Error::usage("--max-len must be at least 1"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Itemset {
    /// Product ids, sorted.
    pub items: Vec<String>,
    pub support: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub antecedents: Vec<String>,
    pub consequents: Vec<String>,
    pub support: f64,
    pub confidence: f64,
    pub lift: f64,
    pub leverage: f64,
    /// Infinite at confidence 1 (serde_json writes it as `null`).
    pub conviction: f64,
}

/// `report basket`: the association rules, by lift, then confidence, then
/// support (highest first), then by antecedents and consequents.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Rules(pub Vec<Rule>);

/// `report basket --itemsets`: the frequent itemsets, by support (highest
/// first), then by items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Itemsets(pub Vec<Itemset>);

#[derive(Debug, Clone, PartialEq)]
pub struct Basket {
    /// Orders with lines, each a transaction.
    pub transactions: usize,
    pub itemsets: Itemsets,
    pub rules: Rules,
}

/// Mines the orders of the selected customers.
pub fn basket(scope: &Scope, params: &Params) -> Result<Basket> {
    params.validate()?;
    let orders: Vec<_> = scope.orders().filter(|o| !o.lines.is_empty()).collect();
    let products: Vec<&str> = orders
        .iter()
        .flat_map(|o| o.lines.iter().map(|l| l.product.as_str()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Indices follow the ids' order, so sorted indices are sorted ids.
    let index: HashMap<&str, u32> = products.iter().zip(0u32..).map(|(p, i)| (*p, i)).collect();
    let transactions: Vec<Vec<u32>> = orders
        .iter()
        .map(|o| {
            let mut items: Vec<u32> = o.lines.iter().map(|l| index[l.product.as_str()]).collect();
            items.sort_unstable();
            items.dedup();
            items
        })
        .collect();
    let n = transactions.len();
    let itemsets = frequent_itemsets(&transactions, products.len(), params);
    let names = |items: &[u32]| -> Vec<String> {
        items
            .iter()
            .map(|&i| products[i as usize].to_string())
            .collect()
    };
    let mut rules: Vec<Rule> = rules(&itemsets, params.min_confidence)
        .iter()
        .map(|rule| rule.measured(n, &names))
        .collect();
    rules.sort_by(rule_order);
    let mut itemsets: Vec<Itemset> = itemsets
        .iter()
        .map(|(items, count)| Itemset {
            items: names(items),
            support: *count as f64 / n as f64,
        })
        .collect();
    itemsets.sort_by(|a, b| {
        b.support
            .total_cmp(&a.support)
            .then_with(|| a.items.cmp(&b.items))
    });
    Ok(Basket {
        transactions: n,
        itemsets: Itemsets(itemsets),
        rules: Rules(rules),
    })
}

impl Report for Rules {
    fn title(&self) -> String {
        "Basket: association rules".into()
    }

    fn sections(&self) -> Vec<Section> {
        let mut table = Table::new(&[
            "antecedents",
            "consequents",
            "support",
            "confidence",
            "lift",
            "leverage",
            "conviction",
        ]);
        for rule in &self.0 {
            table.push(vec![
                Cell::List(rule.antecedents.clone()),
                Cell::List(rule.consequents.clone()),
                Cell::Float(rule.support),
                Cell::Float(rule.confidence),
                Cell::Float(rule.lift),
                Cell::Float(rule.leverage),
                Cell::Float(rule.conviction),
            ]);
        }
        vec![Section::new("rules", "Association rules", table)]
    }
}

impl Report for Itemsets {
    fn title(&self) -> String {
        "Basket: frequent itemsets".into()
    }

    fn sections(&self) -> Vec<Section> {
        let mut table = Table::new(&["items", "support"]);
        for itemset in &self.0 {
            table.push(vec![
                Cell::List(itemset.items.clone()),
                Cell::Float(itemset.support),
            ]);
        }
        vec![Section::new("itemsets", "Frequent itemsets", table)]
    }
}

fn rule_order(a: &Rule, b: &Rule) -> Ordering {
    b.lift
        .total_cmp(&a.lift)
        .then_with(|| b.confidence.total_cmp(&a.confidence))
        .then_with(|| b.support.total_cmp(&a.support))
        .then_with(|| a.antecedents.cmp(&b.antecedents))
        .then_with(|| a.consequents.cmp(&b.consequents))
}

/// The least count whose support `count / n` is at least `min_support`,
/// compared in floating point as mlxtend compares supports.
fn min_count(min_support: f64, n: usize) -> usize {
    let supported = |count: usize| count as f64 / n as f64 >= min_support;
    let mut count = (min_support * n as f64).ceil() as usize;
    while count > 1 && supported(count - 1) {
        count -= 1;
    }
    while !supported(count) && count <= n {
        count += 1;
    }
    count.max(1)
}

/// An itemset (item indices ascending) and the number of transactions holding it.
type Counted = (Vec<u32>, usize);

/// Every itemset of at most `max_len` items found in at least the minimum
/// support's share of `transactions`, whose items are indices below `items`.
fn frequent_itemsets(transactions: &[Vec<u32>], items: usize, params: &Params) -> Vec<Counted> {
    let n = transactions.len();
    if n == 0 {
        return Vec::new();
    }
    let min_count = min_count(params.min_support, n);
    let max_len = params.max_len.unwrap_or(usize::MAX);

    // Transaction ids per item, ascending since transactions are visited in order.
    let mut tids: Vec<Vec<u32>> = vec![Vec::new(); items];
    for (tid, transaction) in (0u32..).zip(transactions) {
        for &item in transaction {
            tids[item as usize].push(tid);
        }
    }
    let frequent: Vec<u32> = (0u32..)
        .zip(&tids)
        .filter(|(_, t)| t.len() >= min_count)
        .map(|(item, _)| item)
        .collect();
    let pairs = (max_len >= 2).then(|| PairCounts::new(transactions, &frequent, items));

    let mut found = Vec::new();
    for (rank, &item) in frequent.iter().enumerate() {
        found.push((vec![item], tids[item as usize].len()));
        let Some(pairs) = &pairs else { continue };
        let class: Vec<(u32, Vec<u32>)> = frequent[rank + 1..]
            .iter()
            .enumerate()
            .filter(|&(offset, _)| pairs.count(rank, rank + 1 + offset) >= min_count)
            .map(|(_, &other)| {
                (
                    other,
                    intersect(&tids[item as usize], &tids[other as usize]),
                )
            })
            .collect();
        extend(&mut vec![item], &class, min_count, max_len, &mut found);
    }
    found
}

/// Eclat's depth-first step: `class` holds the items that extend `prefix` to a
/// frequent itemset, each with the transactions of that itemset.
fn extend(
    prefix: &mut Vec<u32>,
    class: &[(u32, Vec<u32>)],
    min_count: usize,
    max_len: usize,
    found: &mut Vec<Counted>,
) {
    for (position, (item, tids)) in class.iter().enumerate() {
        prefix.push(*item);
        found.push((prefix.clone(), tids.len()));
        if prefix.len() < max_len {
            let next: Vec<(u32, Vec<u32>)> = class[position + 1..]
                .iter()
                .map(|(other, other_tids)| (*other, intersect(tids, other_tids)))
                .filter(|(_, both)| both.len() >= min_count)
                .collect();
            extend(prefix, &next, min_count, max_len, found);
        }
        prefix.pop();
    }
}

/// Co-occurrence counts of the frequent items, by their rank among them.
struct PairCounts {
    ranks: usize,
    counts: Vec<u32>,
}

impl PairCounts {
    fn new(transactions: &[Vec<u32>], frequent: &[u32], items: usize) -> PairCounts {
        let mut rank_of = vec![u32::MAX; items];
        for (rank, &item) in (0u32..).zip(frequent) {
            rank_of[item as usize] = rank;
        }
        let ranks = frequent.len();
        let mut counts = vec![0u32; ranks * ranks];
        let mut present = Vec::new();
        for transaction in transactions {
            present.clear();
            present.extend(
                transaction
                    .iter()
                    .map(|&item| rank_of[item as usize])
                    .filter(|&rank| rank != u32::MAX),
            );
            for (i, &a) in present.iter().enumerate() {
                for &b in &present[i + 1..] {
                    counts[a as usize * ranks + b as usize] += 1;
                }
            }
        }
        PairCounts { ranks, counts }
    }

    /// Transactions holding the frequent items of ranks `a < b`.
    fn count(&self, a: usize, b: usize) -> usize {
        self.counts[a * self.ranks + b] as usize
    }
}

/// The common elements of two ascending lists.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut both = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                both.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    both
}

/// A rule over item indices with the transaction counts its measures come from.
struct CountedRule {
    antecedent: Vec<u32>,
    consequent: Vec<u32>,
    /// Transactions holding both sides, the antecedent, the consequent.
    both: usize,
    antecedent_count: usize,
    consequent_count: usize,
}

/// Every rule A -> C where A and C are non-empty, A + C is a frequent itemset,
/// and the confidence is at least `min_confidence`.
fn rules(itemsets: &[Counted], min_confidence: f64) -> Vec<CountedRule> {
    let counts: HashMap<&[u32], usize> = itemsets
        .iter()
        .map(|(items, count)| (items.as_slice(), *count))
        .collect();
    let mut rules = Vec::new();
    for (items, both) in itemsets.iter().filter(|(items, _)| items.len() >= 2) {
        // Each proper, non-empty subset of the positions (a bit mask) is an antecedent.
        for mask in 1..(1u64 << items.len()) - 1 {
            let side = |in_antecedent: bool| -> Vec<u32> {
                (0..items.len())
                    .filter(|i| (mask & (1 << i) != 0) == in_antecedent)
                    .map(|i| items[i])
                    .collect()
            };
            let antecedent = side(true);
            // Subsets of a frequent itemset are frequent (downward closure).
            let antecedent_count = counts[antecedent.as_slice()];
            if (*both as f64 / antecedent_count as f64) < min_confidence {
                continue;
            }
            let consequent = side(false);
            rules.push(CountedRule {
                consequent_count: counts[consequent.as_slice()],
                antecedent,
                consequent,
                both: *both,
                antecedent_count,
            });
        }
    }
    rules
}

impl CountedRule {
    /// The rule's measures over `n` transactions, as mlxtend defines them with
    /// supports sA, sC, sAC: confidence sAC/sA, lift confidence/sC, leverage
    /// sAC - sA*sC, conviction (1 - sC)/(1 - confidence). Each is computed as one
    /// division of exact integer products, so a rule and its reverse get the
    /// same lift to the last bit and ties sort deterministically.
    fn measured(&self, n: usize, names: &dyn Fn(&[u32]) -> Vec<String>) -> Rule {
        let (n, ac, a, c) = (
            n as u128,
            self.both as u128,
            self.antecedent_count as u128,
            self.consequent_count as u128,
        );
        let conviction = if a == ac {
            f64::INFINITY
        } else {
            ((n - c) * a) as f64 / (n * (a - ac)) as f64
        };
        Rule {
            antecedents: names(&self.antecedent),
            consequents: names(&self.consequent),
            support: ac as f64 / n as f64,
            confidence: ac as f64 / a as f64,
            lift: (ac * n) as f64 / (a * c) as f64,
            leverage: ((ac * n) as i128 - (a * c) as i128) as f64 / (n * n) as f64,
            conviction,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dataset;
    use crate::model::values::parse_timestamp;
    use crate::model::{Line, Order};
    use crate::report::funnel::tests::{day, scope_of, settings};
    use rust_decimal::Decimal;

    fn run(data: &Dataset, as_of: &str, params: &Params) -> Result<Basket> {
        let (data, as_of) = scope_of(data, day(as_of));
        basket(&Scope::all(&data, as_of), params)
    }

    fn order(id: &str, at: &str, products: &[&str]) -> Order {
        Order {
            id: id.into(),
            lines: products
                .iter()
                .map(|p| Line {
                    product: (*p).into(),
                    quantity: Decimal::ONE,
                    price: Decimal::ONE,
                })
                .collect(),
            ..Order::new("acme", parse_timestamp(at).unwrap())
        }
    }

    /// The textbook five baskets (Tan, Steinbach & Kumar, table 6.1), plus orders
    /// that must not count: one without lines, one after the as-of date.
    fn dataset() -> Dataset {
        let mut data = Dataset::empty(settings());
        data.orders = vec![
            order("t1", "2026-01-01", &["bread", "milk"]),
            order("t2", "2026-01-02", &["bread", "diaper", "beer", "eggs"]),
            order("t3", "2026-01-03", &["milk", "diaper", "beer", "cola"]),
            // A product twice in one order counts once.
            order(
                "t4",
                "2026-01-04",
                &["bread", "milk", "diaper", "beer", "beer"],
            ),
            order("t5", "2026-01-05", &["bread", "milk", "diaper", "cola"]),
            order("later", "2026-02-01", &["beer", "eggs"]),
        ];
        let mut no_lines = order("total-only", "2026-01-06", &[]);
        no_lines.total = Some(Decimal::TEN);
        data.orders.push(no_lines);
        data
    }

    fn params(min_support: f64, min_confidence: f64, max_len: Option<usize>) -> Params {
        Params {
            min_support,
            min_confidence,
            max_len,
        }
    }

    fn rule(a: &str, c: &str, measures: [f64; 5]) -> Rule {
        let [support, confidence, lift, leverage, conviction] = measures;
        Rule {
            antecedents: vec![a.into()],
            consequents: vec![c.into()],
            support,
            confidence,
            lift,
            leverage,
            conviction,
        }
    }

    #[test]
    fn textbook_baskets_by_hand() {
        let result = run(&dataset(), "2026-01-31", &params(0.6, 0.7, None)).unwrap();
        // t1..t5; counts: bread 4, milk 4, diaper 4, beer 3, cola 2, eggs 1.
        assert_eq!(result.transactions, 5);
        // min support 0.6 = 3 of 5. Pairs: bread+milk 3 (t1 t4 t5), bread+diaper 3
        // (t2 t4 t5), milk+diaper 3 (t3 t4 t5), beer+diaper 3 (t2 t3 t4);
        // bread+beer 2, milk+beer 2; bread+milk+diaper 2 (t4 t5): not frequent.
        let sets: Vec<(Vec<&str>, f64)> = result
            .itemsets
            .0
            .iter()
            .map(|s| (s.items.iter().map(String::as_str).collect(), s.support))
            .collect();
        assert_eq!(
            sets,
            [
                (vec!["bread"], 0.8),
                (vec!["diaper"], 0.8),
                (vec!["milk"], 0.8),
                (vec!["beer"], 0.6),
                (vec!["beer", "diaper"], 0.6),
                (vec!["bread", "diaper"], 0.6),
                (vec!["bread", "milk"], 0.6),
                (vec!["diaper", "milk"], 0.6),
            ]
        );
        // beer -> diaper: sAC 0.6, sA 0.6, sC 0.8: confidence 1, lift 1/0.8 = 1.25,
        // leverage 0.6 - 0.6 x 0.8 = 0.12, conviction infinite (confidence 1).
        // diaper -> beer: confidence 0.6/0.8 = 0.75, lift 0.75/0.6 = 1.25, leverage
        // 0.12, conviction (1 - 0.6) / (1 - 0.75) = 1.6.
        // The other six (bread, milk, diaper pairs both ways): confidence 0.75,
        // lift 0.75/0.8 = 0.9375, leverage 0.6 - 0.64 = -0.04, conviction
        // (1 - 0.8) / 0.25 = 0.8; tied, so by antecedent then consequent.
        let weak = [0.6, 0.75, 0.9375, -0.04, 0.8];
        assert_eq!(
            result.rules.0,
            [
                rule("beer", "diaper", [0.6, 1.0, 1.25, 0.12, f64::INFINITY]),
                rule("diaper", "beer", [0.6, 0.75, 1.25, 0.12, 1.6]),
                rule("bread", "diaper", weak),
                rule("bread", "milk", weak),
                rule("diaper", "bread", weak),
                rule("diaper", "milk", weak),
                rule("milk", "bread", weak),
                rule("milk", "diaper", weak),
            ]
        );
        let json = serde_json::to_value(&result.rules.0[0]).unwrap();
        assert_eq!(json["conviction"], serde_json::Value::Null);
    }

    #[test]
    fn thresholds_and_lengths() {
        let data = dataset();
        let as_of = "2026-01-31";
        // Confidence above 0.75 leaves only beer -> diaper.
        let strict = run(&data, as_of, &params(0.6, 0.8, None)).unwrap();
        assert_eq!(strict.rules.0.len(), 1);
        // Single items only: no rules.
        let singles = run(&data, as_of, &params(0.6, 0.0, Some(1))).unwrap();
        assert_eq!(singles.itemsets.0.len(), 4);
        assert!(singles.rules.0.is_empty());
        // At 0.4 (2 of 5) bread+milk+diaper (t4 t5) is frequent; max 2 items hides it.
        let triples = run(&data, as_of, &params(0.4, 0.0, None)).unwrap();
        assert!(triples.itemsets.0.iter().any(|s| s.items.len() == 3));
        let pairs = run(&data, as_of, &params(0.4, 0.0, Some(2))).unwrap();
        assert!(pairs.itemsets.0.iter().all(|s| s.items.len() <= 2));
        // {bread, milk} -> {diaper}: 2 / 3 (bread+milk in t1 t4 t5).
        let three = triples
            .rules
            .0
            .iter()
            .find(|r| r.antecedents == ["bread", "milk"] && r.consequents == ["diaper"])
            .unwrap();
        assert_eq!(three.confidence, 2.0 / 3.0);
        // The later order counts from its own date on: 6 transactions.
        let later = run(&data, "2026-02-01", &params(0.6, 0.7, None)).unwrap();
        assert_eq!(later.transactions, 6);
    }

    #[test]
    fn empty_store() {
        let result = run(
            &Dataset::empty(settings()),
            "2026-01-31",
            &params(0.1, 0.5, None),
        )
        .unwrap();
        assert_eq!(result.transactions, 0);
        assert!(result.itemsets.0.is_empty() && result.rules.0.is_empty());
    }

    #[test]
    fn out_of_range_parameters_are_usage_errors() {
        for bad in [
            params(0.0, 0.5, None),
            params(1.5, 0.5, None),
            params(f64::NAN, 0.5, None),
            params(0.1, -0.1, None),
            params(0.1, 1.1, None),
            params(0.1, 0.5, Some(0)),
        ] {
            let error = run(&dataset(), "2026-01-31", &bad).unwrap_err();
            assert!(matches!(error, Error::Usage { .. }), "{bad:?}");
        }
    }

    #[test]
    fn least_count_matches_the_support_comparison() {
        // 0.6 x 5 = 3 exactly; 0.3 x 10 is 3.0000000000000004 in floating point, but
        // 3 / 10 = 0.3 >= 0.3, so 3 is enough.
        assert_eq!(min_count(0.6, 5), 3);
        assert_eq!(min_count(0.3, 10), 3);
        assert_eq!(min_count(0.0001, 10), 1);
        assert_eq!(min_count(1.0, 7), 7);
    }

    /// Every itemset of up to three of eight items, counted by scanning all
    /// transactions, against the miner.
    #[test]
    fn mining_agrees_with_brute_force_counting() {
        let mut rng = fastrand::Rng::with_seed(7);
        let transactions: Vec<Vec<u32>> = (0..300)
            .map(|_| {
                let mut t: Vec<u32> = (0..8).filter(|i| rng.u32(0..10) < 2 + i % 3).collect();
                t.sort_unstable();
                t
            })
            .collect();
        let p = params(0.05, 0.0, Some(3));
        let mut mined = frequent_itemsets(&transactions, 8, &p);
        mined.sort();
        let mut expected = Vec::new();
        for mask in 1u32..256 {
            let items: Vec<u32> = (0..8).filter(|i| mask & (1 << i) != 0).collect();
            if items.len() > 3 {
                continue;
            }
            let count = transactions
                .iter()
                .filter(|t| items.iter().all(|i| t.contains(i)))
                .count();
            if count as f64 / 300.0 >= 0.05 {
                expected.push((items, count));
            }
        }
        expected.sort();
        assert!(mined.iter().any(|(items, _)| items.len() == 3));
        assert_eq!(mined, expected);
    }
}
