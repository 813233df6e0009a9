//! RFM scoring (Hughes 1994): recency, frequency and monetary value of each
//! customer's orders, scored 1 to 5 by quintile of rank, and the customer's
//! segment on the R x F grid. Formulas and sources: docs/analytics.md.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::orders::{OrderStats, StatsById};
use crate::model::Customer;

keyword_enum! {
    /// The ten segments of the R x F grid, best first.
    Segment "RFM segment" {
        Champions => "champions",
        LoyalCustomers => "loyal_customers",
        PotentialLoyalists => "potential_loyalists",
        NewCustomers => "new_customers",
        Promising => "promising",
        NeedAttention => "need_attention",
        AboutToSleep => "about_to_sleep",
        AtRisk => "at_risk",
        CantLose => "cant_lose",
        Hibernating => "hibernating",
    }
}

impl Segment {
    /// The segment of an R score and an F score (docs/analytics.md draws the grid).
    pub fn of(r: u8, f: u8) -> Segment {
        match (r, f) {
            (5, 4..=5) => Segment::Champions,
            (3..=4, 4..=5) => Segment::LoyalCustomers,
            (4..=5, 2..=3) => Segment::PotentialLoyalists,
            (5, 1) => Segment::NewCustomers,
            (4, 1) => Segment::Promising,
            (3, 3) => Segment::NeedAttention,
            (3, 1..=2) => Segment::AboutToSleep,
            (1..=2, 3..=4) => Segment::AtRisk,
            (1..=2, 5) => Segment::CantLose,
            _ => Segment::Hibernating,
        }
    }
}

/// One customer's RFM figures and scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rfm {
    /// Days from the last order to the as-of date.
    pub recency_days: i64,
    /// Number of orders.
    pub frequency: u64,
    /// Sum of the order values.
    pub monetary: Decimal,
    pub r: u8,
    pub f: u8,
    pub m: u8,
    pub segment: Segment,
}

/// The quintile (1 to 5) of the 1-based `rank` among `n` ranks, exactly as
/// pandas' `qcut(ranks, 5)` cuts the ranks 1..n: bin edges at
/// 1 + k(n - 1)/5 for k = 0..5, each bin closed on the right, the first also
/// on the left. Rank r falls in the first bin i with r <= 1 + i(n - 1)/5, that
/// is 5(r - 1) <= i(n - 1), computed in integers. (pandas refuses n = 1, its edges
/// not being unique; the lone rank goes to the first bin.)
pub fn quintile(rank: usize, n: usize) -> u8 {
    (1..=5u8)
        .find(|&i| 5 * (rank - 1) <= usize::from(i) * (n.saturating_sub(1)))
        .unwrap_or(5)
}

/// Scores each item 1 to 5 by the quintile of its rank when sorted by `key`
/// (ties broken by the id, ascending, as `rank(method="first")` breaks them in
/// a frame sorted by id).
fn quintile_scores<K: Ord>(ids: &[&str], key: impl Fn(usize) -> K) -> Vec<u8> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by(|&a, &b| key(a).cmp(&key(b)).then_with(|| ids[a].cmp(ids[b])));
    let mut scores = vec![0; ids.len()];
    for (position, &index) in order.iter().enumerate() {
        scores[index] = quintile(position + 1, ids.len());
    }
    scores
}

/// Scores every customer with at least one order, relative to each other, sorted
/// by customer id. `orders` holds order figures up to `as_of`.
pub fn score<'a>(
    customers: &'a [Customer],
    orders: &StatsById,
    as_of: NaiveDate,
) -> Vec<(&'a str, Rfm)> {
    let mut buyers: Vec<(&str, OrderStats)> = customers
        .iter()
        .filter_map(|c| Some((c.id.as_str(), *orders.get(c.id.as_str())?)))
        .collect();
    buyers.sort_by(|a, b| a.0.cmp(b.0));
    let ids: Vec<&str> = buyers.iter().map(|(id, _)| *id).collect();
    let recency = |i: usize| (as_of - buyers[i].1.last).num_days();
    // Fewest days since the last order rank first; reversed, they score 5.
    let r = quintile_scores(&ids, recency);
    let f = quintile_scores(&ids, |i| buyers[i].1.count);
    let m = quintile_scores(&ids, |i| buyers[i].1.total);
    buyers
        .iter()
        .enumerate()
        .map(|(i, (id, stats))| {
            let r = 6 - r[i];
            let rfm = Rfm {
                recency_days: recency(i),
                frequency: stats.count,
                monetary: stats.total,
                r,
                f: f[i],
                m: m[i],
                segment: Segment::of(r, f[i]),
            };
            (*id, rfm)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_cut_ranks_like_pandas_qcut() {
        let scores = |n: usize| (1..=n).map(|r| quintile(r, n)).collect::<Vec<_>>();
        // n = 10: edges 1, 2.8, 4.6, 6.4, 8.2, 10.
        assert_eq!(scores(10), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // n = 7: edges 1, 2.2, 3.4, 4.6, 5.8, 7 (rank 6 > 5.8 goes to the last bin).
        assert_eq!(scores(7), [1, 1, 2, 3, 4, 5, 5]);
        // n = 6: edges 1, 2, 3, 4, 5, 6: rank 2 sits on an edge, closed on the right.
        assert_eq!(scores(6), [1, 1, 2, 3, 4, 5]);
        assert_eq!(scores(5), [1, 2, 3, 4, 5]);
        // n = 4: edges 1, 1.6, 2.2, 2.8, 3.4, 4.
        assert_eq!(scores(4), [1, 2, 4, 5]);
        // n = 3: edges 1, 1.4, 1.8, 2.2, 2.6, 3.
        assert_eq!(scores(3), [1, 3, 5]);
        assert_eq!(scores(2), [1, 5]);
        assert_eq!(scores(1), [1]);
    }
}
