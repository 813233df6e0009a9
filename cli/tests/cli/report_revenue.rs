//! `relate report revenue`, on orders whose figures are worked out by hand.

use serde::Deserialize;

use crate::common::TestEnv;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct RevenueJson {
    currency: String,
    period: String,
    by: Option<String>,
    since: String,
    until: String,
    overlapping: bool,
    groups: Vec<GroupJson>,
    total: GroupJson,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct GroupJson {
    group: Option<String>,
    periods: Vec<PeriodJson>,
    total: FiguresJson,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct PeriodJson {
    period_start: String,
    partial: bool,
    revenue: f64,
    orders: u64,
    customers: u64,
    aov: Option<f64>,
    change_previous: Option<f64>,
    change_year: Option<f64>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct FiguresJson {
    revenue: f64,
    orders: u64,
    customers: u64,
    aov: Option<f64>,
}

/// Today is 2026-11-22. Acme: 499 + 2 x 19.90 in October, 19.90 x 10 on
/// 2 November; Ana: 1,000 (no lines) on 15 October, 499 on 1 November 2025.
fn store() -> TestEnv {
    let env = TestEnv::with_basics();
    for (customer, what, at) in [
        ("acme-corp", "--line=printer:1", "2026-10-03"),
        ("acme-corp", "--line=toner:2", "2026-10-03"),
        ("ana-lima", "--total=1000", "2026-10-15"),
        ("acme-corp", "--line=toner:10", "2026-11-02"),
        ("ana-lima", "--line=printer:1", "2025-11-01"),
    ] {
        env.run(&["order", "add", customer, what, "--at", at]).ok();
    }
    env
}

#[test]
fn months_as_columns_with_totals_and_changes() {
    let env = store();
    let report: RevenueJson = env.json(&["report", "revenue", "--since", "2026-10-01"]);
    assert_eq!(
        (
            report.currency.as_str(),
            report.period.as_str(),
            report.by.as_deref()
        ),
        ("EUR", "month", None)
    );
    assert_eq!(
        (report.since.as_str(), report.until.as_str()),
        ("2026-10-01", "2026-11-22")
    );
    assert!(report.groups.is_empty() && !report.overlapping);
    let [october, november] = &report.total.periods[..] else {
        panic!("{report:?}")
    };
    assert_eq!(
        (
            october.period_start.as_str(),
            october.partial,
            november.partial
        ),
        ("2026-10-01", false, true)
    );
    assert_eq!(
        (october.revenue, october.orders, october.customers),
        (1538.8, 3, 2)
    );
    assert_eq!(october.aov, Some(512.93));
    assert_eq!((november.revenue, november.orders), (199.0, 1));
    // November 1-22 against October 1-22 (1,538.80) and November 1-22, 2025 (499).
    assert_eq!(november.change_previous, Some((199.0 - 1538.8) / 1538.8));
    assert_eq!(november.change_year, Some((199.0 - 499.0) / 499.0));
    assert_eq!(october.change_previous, None);
    assert_eq!(
        report.total.total,
        FiguresJson {
            revenue: 1737.8,
            orders: 4,
            customers: 2,
            aov: Some(434.45),
        }
    );
    assert_eq!(report.total.group, None);
}

#[test]
fn by_product_in_a_table_with_a_total_row_and_money_for_people() {
    let env = store();
    let table = env
        .run(&[
            "report",
            "revenue",
            "--since",
            "2026-10-01",
            "--by",
            "product",
            "--section",
            "revenue",
        ])
        .ok();
    assert_eq!(
        table,
        "product  2026-10   2026-11*  total\n\
         printer    499.00      0.00    499.00\n\
         toner       39.80    199.00    238.80\n\
         (none)   1,000.00      0.00  1,000.00\n\
         total    1,538.80    199.00  1,737.80\n"
    );
    let csv = env
        .run(&[
            "--format",
            "csv",
            "report",
            "revenue",
            "--since",
            "2026-10-01",
            "--by",
            "product",
        ])
        .ok();
    assert!(csv.contains("\n(none),1000.00,0.00,1000.00\n"), "{csv}");
    let report: RevenueJson = env.json(&[
        "report",
        "revenue",
        "--since",
        "2026-10-01",
        "--by",
        "product",
    ]);
    let groups: Vec<(Option<&str>, f64)> = (report.groups.iter())
        .map(|g| (g.group.as_deref(), g.total.revenue))
        .collect();
    assert_eq!(
        groups,
        [
            (Some("printer"), 499.0),
            (Some("toner"), 238.8),
            (None, 1000.0)
        ]
    );
}

#[test]
fn a_bad_grouping_or_span_is_a_usage_error() {
    let env = store();
    let stderr = env.run(&["report", "revenue", "--by", "regoin"]).fails(2);
    assert!(stderr.contains("did you mean `region`?"), "{stderr}");
    let stderr = env
        .run(&[
            "report",
            "revenue",
            "--since",
            "2026-12-01",
            "--as-of",
            "2026-11-01",
        ])
        .fails(2);
    assert!(
        stderr.contains("--since 2026-12-01 is after the report's end, 2026-11-01"),
        "{stderr}"
    );
}
