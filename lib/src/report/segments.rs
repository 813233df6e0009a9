//! `report segments`: the customer base cut into groups (the named segments of
//! relate.yaml, or the values of some fields) with each group's size, sales,
//! contacts and open deals.

use rust_decimal::Decimal;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::{Report, Scope, mean_money, ratio};
use crate::error::Result;
use crate::figures::facts::{Facts, Needs};
use crate::filter::{Field, Filter, parse_filter};
use crate::model::values::{decimal, opt_decimal};
use crate::model::{Customer, Settings};
use crate::output::{Cell, Section, Table};

/// The column of the named segment in rows grouped by segment.
pub const SEGMENT_KEY: &str = "segment";
/// The one group when no segment is defined and no field is given.
pub const EVERYONE: &str = "all";

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRow {
    /// The group: the segment's name under `segment`, or each `--by` field's value
    /// (null when the customer has none).
    #[serde(flatten)]
    pub keys: BTreeMap<String, Option<String>>,
    pub customers: u64,
    /// Share of the selected customers.
    pub share: Option<f64>,
    pub orders: u64,
    #[serde(with = "decimal")]
    pub revenue: Decimal,
    /// Average order value: revenue / orders.
    #[serde(with = "opt_decimal")]
    pub aov: Option<Decimal>,
    #[serde(with = "opt_decimal")]
    pub revenue_per_customer: Option<Decimal>,
    /// Contacts logged in the 90 days ending on the as-of date.
    pub contacts_90d: u64,
    pub open_deals: u64,
    #[serde(with = "decimal")]
    pub open_amount: Decimal,
}

/// `report segments`: one row per group, in key order (bands lowest first).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct SegmentsReport {
    /// The names of the key columns, in order.
    #[serde(skip)]
    pub key_columns: Vec<String>,
    pub rows: Vec<SegmentRow>,
    /// The selected customers' figures, each customer counted once (in the
    /// tables only: JSON scripts sum the rows they choose).
    #[serde(skip)]
    pub total: Totals,
    /// Whether a customer counts in more than one group (named segments that
    /// overlap, a list field such as `tags`): the rows then sum to more
    /// than the total.
    #[serde(skip)]
    pub overlapping: bool,
}

/// How customers are grouped.
enum Grouping {
    Segments(Vec<(String, Filter)>),
    Fields(Vec<Field>),
}

impl Grouping {
    fn needs(&self) -> Needs {
        match self {
            Grouping::Segments(segments) => segments
                .iter()
                .fold(Needs::default(), |needs, (_, f)| needs.union(f.needs())),
            Grouping::Fields(fields) => fields
                .iter()
                .fold(Needs::default(), |needs, f| needs.union(f.needs())),
        }
    }

    fn columns(&self) -> Vec<String> {
        match self {
            Grouping::Segments(_) => vec![SEGMENT_KEY.to_string()],
            Grouping::Fields(fields) => fields.iter().map(|f| f.name().into_owned()).collect(),
        }
    }

    /// The order of two groups, key by key: a missing value first, the bands of
    /// `age_band` and `income_band` lowest first as the settings list them,
    /// numbers by value (`9` before `10`), other values alphabetically.
    fn compare(&self, settings: &Settings, a: &[Option<String>], b: &[Option<String>]) -> Ordering {
        let Grouping::Fields(fields) = self else {
            return a.cmp(b);
        };
        let rank = |field: &Field, key: &Option<String>| {
            key.as_deref().map(|name| {
                field
                    .bands(settings)
                    .and_then(|bands| bands.iter().position(|band| band.name == name))
            })
        };
        fields
            .iter()
            .zip(a.iter().zip(b))
            .map(|(field, (x, y))| {
                rank(field, x)
                    .cmp(&rank(field, y))
                    .then_with(|| by_number(x, y))
                    .then_with(|| x.cmp(y))
            })
            .find(|order| order.is_ne())
            .unwrap_or(Ordering::Equal)
    }

    /// The groups a customer belongs to: every segment it matches, or one group
    /// per combination of its field values (a list field gives one per item).
    fn keys_of(&self, customer: &Customer, facts: &Facts) -> Vec<Vec<Option<String>>> {
        match self {
            Grouping::Segments(segments) => segments
                .iter()
                .filter(|(_, filter)| filter.matches(customer, facts))
                .map(|(name, _)| vec![Some(name.clone())])
                .collect(),
            Grouping::Fields(fields) => {
                let mut combinations = vec![Vec::new()];
                for field in fields {
                    let keys = field.value(customer, facts).keys();
                    let choices: Vec<Option<String>> = if keys.is_empty() {
                        vec![None]
                    } else {
                        keys.into_iter().map(Some).collect()
                    };
                    combinations = combinations
                        .iter()
                        .flat_map(|prefix| {
                            choices.iter().map(move |choice| {
                                let mut keys = prefix.clone();
                                keys.push(choice.clone());
                                keys
                            })
                        })
                        .collect();
                }
                combinations
            }
        }
    }
}

/// The sums of a group of customers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub customers: u64,
    pub orders: u64,
    pub revenue: Decimal,
    pub contacts_90d: u64,
    pub open_deals: u64,
    pub open_amount: Decimal,
}

impl Totals {
    fn add(&mut self, facts: &Facts, id: &str) {
        let orders = facts.orders.get(id);
        let contacts = facts.contacts.get(id);
        let deals = facts.deals.get(id);
        self.customers += 1;
        self.orders += orders.map_or(0, |s| s.count);
        self.revenue += orders.map_or(Decimal::ZERO, |s| s.total);
        self.contacts_90d += contacts.map_or(0, |s| s.recent);
        self.open_deals += deals.map_or(0, |s| s.open);
        self.open_amount += deals.map_or(Decimal::ZERO, |s| s.open_amount);
    }

    /// The figures of a row, `share` of `selected`.
    fn row(self, keys: BTreeMap<String, Option<String>>, selected: u64) -> SegmentRow {
        SegmentRow {
            keys,
            customers: self.customers,
            share: ratio(self.customers, selected),
            orders: self.orders,
            revenue: self.revenue,
            aov: mean_money(self.revenue, self.orders),
            revenue_per_customer: mean_money(self.revenue, self.customers),
            contacts_90d: self.contacts_90d,
            open_deals: self.open_deals,
            open_amount: self.open_amount,
        }
    }
}

/// Groups the selected customers by `by` (field names, see docs/filters.md), or
/// without fields by the named segments of relate.yaml (a customer counts in
/// each segment it matches), or, with neither, into one group `all`.
pub fn report(scope: &Scope, by: &[Field]) -> Result<SegmentsReport> {
    let settings = &scope.data.settings;
    let grouping = if !by.is_empty() {
        Grouping::Fields(by.to_vec())
    } else if settings.segments.is_empty() {
        Grouping::Segments(vec![(EVERYONE.to_string(), Filter::everyone())])
    } else {
        let segments = settings
            .segments
            .iter()
            .map(|(name, segment)| Ok((name.clone(), parse_filter(&segment.filter)?)))
            .collect::<Result<_>>()?;
        Grouping::Segments(segments)
    };
    let sales = Needs {
        orders: true,
        contacts: true,
        deals: true,
        rfm: false,
        clv: false,
    };
    let facts = scope.facts(sales.union(grouping.needs()));
    let mut groups: BTreeMap<Vec<Option<String>>, Totals> = BTreeMap::new();
    if let Grouping::Segments(segments) = &grouping {
        // Every segment gets a row, empty ones too.
        for (name, _) in segments {
            groups.insert(vec![Some(name.clone())], Totals::default());
        }
    }
    let (mut total, mut overlapping) = (Totals::default(), false);
    for customer in scope.customers() {
        let id = customer.id.as_str();
        total.add(&facts, id);
        let keys = grouping.keys_of(customer, &facts);
        overlapping |= keys.len() > 1;
        for keys in keys {
            groups.entry(keys).or_default().add(&facts, id);
        }
    }
    let selected = total.customers;
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|(a, _), (b, _)| grouping.compare(settings, a, b));
    let key_columns = grouping.columns();
    let rows = groups
        .into_iter()
        .map(|(keys, t)| t.row(key_columns.iter().cloned().zip(keys).collect(), selected))
        .collect();
    Ok(SegmentsReport {
        key_columns,
        rows,
        total,
        overlapping,
    })
}

impl Report for SegmentsReport {
    fn title(&self) -> String {
        "Segments".into()
    }

    fn sections(&self) -> Vec<Section> {
        let figures = [
            "customers",
            "share",
            "orders",
            "revenue",
            "aov",
            "revenue_per_customer",
            "contacts_90d",
            "open_deals",
            "open_amount",
        ];
        let columns: Vec<&str> = self
            .key_columns
            .iter()
            .map(String::as_str)
            .chain(figures)
            .collect();
        let figures = |row: &SegmentRow| {
            [
                Cell::Int(row.customers as i64),
                row.share.into(),
                Cell::Int(row.orders as i64),
                Cell::Money(row.revenue),
                Cell::money(row.aov),
                Cell::money(row.revenue_per_customer),
                Cell::Int(row.contacts_90d as i64),
                Cell::Int(row.open_deals as i64),
                Cell::Money(row.open_amount),
            ]
        };
        let mut table = Table::new(&columns);
        for row in &self.rows {
            let mut cells: Vec<Cell> = self
                .key_columns
                .iter()
                .map(|column| Cell::group(row.keys.get(column).and_then(Option::as_deref)))
                .collect();
            cells.extend(figures(row));
            table.push(cells);
        }
        // The total row: every selected customer once, under the first key.
        let total_row = self
            .total
            .clone()
            .row(BTreeMap::new(), self.total.customers);
        let mut total = Table::new(&columns);
        let mut cells = vec![Cell::text("total")];
        cells.resize(self.key_columns.len(), Cell::Empty);
        cells.extend(figures(&total_row));
        total.push(cells);
        let title = if self.overlapping {
            "All selected customers, each once (the groups overlap: their rows add up to more)"
        } else {
            "All selected customers"
        };
        vec![
            Section::new("segments", "Segments", table),
            Section::new("total", title, total),
        ]
    }
}

/// Two group keys that both read as numbers, by value; otherwise equal, so the
/// text order decides.
fn by_number(a: &Option<String>, b: &Option<String>) -> Ordering {
    let number = |key: &Option<String>| key.as_deref()?.parse::<f64>().ok();
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::settings::Segment;
    use crate::report::fixture::{contact, customer, dataset, date, deal, dec, order};

    const AS_OF: &str = "2026-06-30";

    /// a (EU, vip): orders 100 + 50, a recent contact and an old one, a won deal;
    /// b (EU): order 30, an open deal of 200; c (no region, vip and press): no
    /// order, a recent contact, a deal created after the as-of date.
    fn data() -> crate::model::Dataset {
        let mut a = customer("a");
        a.region = Some("EU".into());
        a.tags = vec!["vip".into()];
        let mut b = customer("b");
        b.region = Some("EU".into());
        let mut c = customer("c");
        c.tags = vec!["vip".into(), "press".into()];
        let mut data = dataset(
            vec![a, b, c],
            vec![
                order("a", "2026-01-05", "100"),
                order("a", "2026-06-01", "50"),
                order("b", "2026-02-01", "30"),
            ],
        );
        data.interactions = vec![
            contact("a", "2026-06-20"),
            contact("a", "2026-03-22"), // 100 days before: not recent
            contact("c", "2026-04-01"), // 90 days before: not recent either
            contact("c", "2026-04-02"), // 89 days before: recent
        ];
        data.deals = vec![
            deal("won", "a", "2026-01-01", "999", Some("2026-02-01")),
            deal("open", "b", "2026-03-01", "200", None),
            deal("later", "c", "2026-07-01", "50", None),
        ];
        data
    }

    fn key(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(String::from)))
            .collect()
    }

    #[test]
    fn by_region() {
        let data = data();
        let report = report(&Scope::all(&data, date(AS_OF)), &[Field::Region]).unwrap();
        assert_eq!(report.key_columns, ["region"]);
        assert_eq!(
            report.rows,
            [
                // c alone: no region (a missing key sorts first).
                SegmentRow {
                    keys: key(&[("region", None)]),
                    customers: 1,
                    share: Some(1.0 / 3.0),
                    orders: 0,
                    revenue: dec("0"),
                    aov: None,
                    revenue_per_customer: Some(dec("0")),
                    contacts_90d: 1,
                    open_deals: 0,
                    open_amount: dec("0"),
                },
                // a and b: 3 orders, 100 + 50 + 30 = 180; aov 180 / 3 = 60; per
                // customer 180 / 2 = 90; a's contact of 2026-06-20; b's open deal.
                SegmentRow {
                    keys: key(&[("region", Some("EU"))]),
                    customers: 2,
                    share: Some(2.0 / 3.0),
                    orders: 3,
                    revenue: dec("180"),
                    aov: Some(dec("60")),
                    revenue_per_customer: Some(dec("90")),
                    contacts_90d: 1,
                    open_deals: 1,
                    open_amount: dec("200"),
                },
            ]
        );
    }

    #[test]
    fn a_list_field_and_a_second_field_make_one_group_per_combination() {
        let data = data();
        let report = report(
            &Scope::all(&data, date(AS_OF)),
            &[Field::Tags, Field::Region],
        )
        .unwrap();
        let groups: Vec<(Vec<Option<&str>>, u64)> = report
            .rows
            .iter()
            .map(|r| {
                let keys = ["tags", "region"].map(|k| r.keys[k].as_deref()).to_vec();
                (keys, r.customers)
            })
            .collect();
        assert_eq!(
            groups,
            [
                (vec![None, Some("EU")], 1),        // b
                (vec![Some("press"), None], 1),     // c
                (vec![Some("vip"), None], 1),       // c
                (vec![Some("vip"), Some("EU")], 1), // a
            ]
        );
    }

    #[test]
    fn bands_sort_in_their_settings_order() {
        // Default bands: ages under 25, 25-34, ..., 65+; incomes under 20k,
        // 20k-50k, 50k-100k, 100k+. As of 2026: a is 21 with 150k, b 22 with 10k,
        // c 66 with 60k; d has neither birth year nor income.
        let people = [
            ("a", Some(2005), Some("150000")),
            ("b", Some(2004), Some("10000")),
            ("c", Some(1960), Some("60000")),
            ("d", None, None),
        ];
        let customers = people
            .iter()
            .map(|(id, birth_year, income)| {
                let mut c = customer(id);
                c.birth_year = *birth_year;
                c.income = income.map(dec);
                c
            })
            .collect();
        let data = dataset(customers, Vec::new());
        let report = report(
            &Scope::all(&data, date(AS_OF)),
            &[Field::AgeBand, Field::IncomeBand],
        )
        .unwrap();
        let groups: Vec<[Option<&str>; 2]> = report
            .rows
            .iter()
            .map(|r| ["age_band", "income_band"].map(|k| r.keys[k].as_deref()))
            .collect();
        // Missing first; then under 25 before 65+ (alphabetically "65+" would come
        // first), and within under 25, under 20k (b) before 100k+ (a).
        assert_eq!(
            groups,
            [
                [None, None],
                [Some("under 25"), Some("under 20k")],
                [Some("under 25"), Some("100k+")],
                [Some("65+"), Some("50k-100k")],
            ]
        );
    }

    #[test]
    fn numbers_sort_by_value() {
        // Birth years 1990, 985 and 2001: by value 985 < 1990 < 2001 (as text
        // "1990" < "2001" < "985").
        let customers = [("a", 1990), ("b", 985), ("c", 2001)]
            .iter()
            .map(|(id, year)| {
                let mut c = customer(id);
                c.birth_year = Some(*year);
                c
            })
            .collect();
        let data = dataset(customers, Vec::new());
        let report = report(&Scope::all(&data, date(AS_OF)), &[Field::BirthYear]).unwrap();
        let years: Vec<Option<&str>> = report
            .rows
            .iter()
            .map(|r| r.keys["birth_year"].as_deref())
            .collect();
        assert_eq!(years, [Some("985"), Some("1990"), Some("2001")]);
    }

    #[test]
    fn named_segments_overlap_and_empty_ones_show() {
        let mut data = data();
        for (name, filter) in [
            ("eu", "region = \"EU\""),
            ("buyers", "orders.count > 0"),
            ("nobody", "region = \"XX\""),
        ] {
            data.settings.segments.insert(
                name.into(),
                Segment {
                    filter: filter.into(),
                },
            );
        }
        let report = report(&Scope::all(&data, date(AS_OF)), &[]).unwrap();
        let rows: Vec<(Option<&str>, u64, Option<f64>, Decimal)> = report
            .rows
            .iter()
            .map(|r| {
                (
                    r.keys["segment"].as_deref(),
                    r.customers,
                    r.share,
                    r.revenue,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (Some("buyers"), 2, Some(2.0 / 3.0), dec("180")),
                (Some("eu"), 2, Some(2.0 / 3.0), dec("180")),
                (Some("nobody"), 0, Some(0.0), dec("0")),
            ]
        );
        assert_eq!(report.rows[2].aov, None);
        assert_eq!(report.rows[2].revenue_per_customer, None);
    }

    #[test]
    fn without_segments_everyone_is_one_group_and_a_filter_narrows_it() {
        let data = data();
        let all = report(&Scope::all(&data, date(AS_OF)), &[]).unwrap();
        assert_eq!(all.rows.len(), 1);
        assert_eq!(all.rows[0].keys, key(&[("segment", Some("all"))]));
        assert_eq!(all.rows[0].customers, 3);
        // 180 over 3 customers = 60 each.
        assert_eq!(all.rows[0].revenue_per_customer, Some(dec("60")));
        let filter = crate::filter::Filter::parse("tags contains \"vip\"").unwrap();
        let vip = report(
            &Scope::new(&data, date(AS_OF), Some(&filter)),
            &[Field::Region],
        )
        .unwrap();
        let shares: Vec<Option<f64>> = vip.rows.iter().map(|r| r.share).collect();
        // a (EU) and c (none) are selected: each is half of them.
        assert_eq!(shares, [Some(0.5), Some(0.5)]);
        let empty = dataset(Vec::new(), Vec::new());
        let none = report(&Scope::all(&empty, date(AS_OF)), &[]).unwrap();
        assert_eq!(none.rows[0].customers, 0);
        assert_eq!(none.rows[0].share, None);
    }
}
