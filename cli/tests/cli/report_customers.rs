//! `relate report segments|rfm|value|loyalty` and `customer list --where` on a
//! small store written as YAML files. Every expected figure is worked out by
//! hand in the comments; JSON shapes are locked by structs that deny unknown fields.

use serde::Deserialize;

use crate::common::TestEnv;

/// The fixture, as of the harness's clock (2026-11-22):
///
/// | customer | region | tags | orders (date: total)                | contacts                         |
/// | ana      | EU     | vip  | 01-10: 100, 11-20: 50               | phone 11-01, answer 10 on 03-01  |
/// | ben      | EU     |      | 06-01: 200                          | answer 9 on 03-01                |
/// | cy       | US     |      | 10-01: 30, 10-11: 30                | answer 3 on 03-01                |
/// | dan      |        |      |                                     | phone 05-01, answer 7 on 03-01   |
///
/// ben has an open deal of 500 created 2026-10-01. Named segments: `big`
/// (orders.total >= 150) and `eu` (region = "EU").
fn store() -> TestEnv {
    let env = TestEnv::new();
    let settings = env.read("relate.yaml").replace(
        "segments: {}",
        "segments:\n  eu:\n    where: 'region = \"EU\"'\n  big:\n    where: orders.total >= 150",
    );
    env.write("relate.yaml", &settings);
    let customer = |id: &str, extra: &str| {
        env.write(
            &format!("customers/{id}.yaml"),
            &format!(
                "id: {id}\nname: {}\nkind: person\n{extra}",
                id.to_uppercase()
            ),
        );
    };
    customer("ana", "region: EU\ntags:\n- vip\n");
    customer("ben", "region: EU\n");
    customer("cy", "region: US\n");
    customer("dan", "");
    let dated = |folder: &str, customer: &str, day: &str, n: usize, rest: &str| {
        let id = format!("{}t000000-{customer}{n}", day.replace('-', ""));
        env.write(
            &format!("{folder}/{}/{}/{id}.yaml", &day[..4], &day[5..7]),
            &format!("id: {id}\ncustomer: {customer}\nat: {day}T00:00:00Z\n{rest}"),
        );
    };
    let order = |customer: &str, day: &str, total: &str| {
        dated("orders", customer, day, 0, &format!("total: {total}\n"))
    };
    order("ana", "2026-01-10", "100");
    order("ana", "2026-11-20", "50");
    order("ben", "2026-06-01", "200");
    order("cy", "2026-10-01", "30");
    order("cy", "2026-10-11", "30");
    let contact =
        |customer: &str, day: &str| dated("interactions", customer, day, 1, "channel: phone\n");
    contact("ana", "2026-11-01");
    contact("dan", "2026-05-01");
    for (customer, score) in [("ana", 10), ("ben", 9), ("cy", 3), ("dan", 7)] {
        dated(
            "interactions",
            customer,
            "2026-03-01",
            2,
            &format!("channel: questionnaire\nscore: {score}\n"),
        );
    }
    env.write(
        "deals/ben-renewal.yaml",
        "id: ben-renewal\ncustomer: ben\ntitle: Renewal\namount: 500\nstage: qualification\ncreated: 2026-10-01\nhistory:\n- stage: qualification\n  at: 2026-10-01\n",
    );
    assert_eq!(env.run(&["check"]).ok(), "", "the fixture is valid");
    env
}

fn json<T: for<'de> Deserialize<'de>>(env: &TestEnv, args: &[&str]) -> T {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let stdout = env.run(&all).ok();
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RfmRow {
    customer: String,
    recency_days: i64,
    frequency: u64,
    monetary: f64,
    r: u8,
    f: u8,
    m: u8,
    segment: String,
}

fn rfm(
    customer: &str,
    recency: i64,
    frequency: u64,
    monetary: f64,
    rfm: [u8; 3],
    segment: &str,
) -> RfmRow {
    RfmRow {
        customer: customer.into(),
        recency_days: recency,
        frequency,
        monetary,
        r: rfm[0],
        f: rfm[1],
        m: rfm[2],
        segment: segment.into(),
    }
}

#[test]
fn rfm_scores_every_buyer_and_reruns_for_a_past_date() {
    let env = store();
    // Three buyers: rank bins [1, 3, 5] (n = 3: edges 1, 1.4, 1.8, 2.2, 2.6, 3).
    // Recency: ana 2 (11-20), cy 42 (10-11: 20 + 22), ben 174 (06-01: 29+31+31+30+31+22)
    //   -> bins 1 3 5, reversed R: ana 5, cy 3, ben 1.
    // Frequency: ben 1, ana 2, cy 2 (tie: ana first) -> F: ben 1, ana 3, cy 5.
    // Monetary: cy 60, ana 150, ben 200 -> M: cy 1, ana 3, ben 5.
    // Grid: ana R5 F3 potential_loyalists, ben R1 F1 hibernating, cy R3 F5 loyal_customers.
    assert_eq!(
        env.run(&["report", "rfm", "--format", "csv"]).ok(),
        "customer,recency_days,frequency,monetary,r,f,m,segment\n\
         ana,2,2,150.00,5,3,3,potential_loyalists\n\
         ben,174,1,200.00,1,1,5,hibernating\n\
         cy,42,2,60.00,3,5,1,loyal_customers\n"
    );
    // As of 2026-06-30 only ana's 01-10 order (recency 21+28+31+30+31+30 = 171) and
    // ben's (29) exist: n = 2, bins [1, 5]. R: ben 5, ana 1; F ties at 1: ana 1, ben 5;
    // M: ana 100 -> 1, ben 200 -> 5. ana R1 F1 hibernating, ben R5 F5 champions.
    let past: Vec<RfmRow> = json(&env, &["report", "rfm", "--as-of", "2026-06-30"]);
    assert_eq!(
        past,
        [
            rfm("ana", 171, 1, 100.0, [1, 1, 1], "hibernating"),
            rfm("ben", 29, 1, 200.0, [5, 5, 5], "champions"),
        ]
    );
    // A filter picks rows; scores stay those of the whole store.
    let eu: Vec<RfmRow> = json(
        &env,
        &[
            "report",
            "rfm",
            "--segment",
            "eu",
            "--where",
            "orders.count = 1",
        ],
    );
    assert_eq!(eu, [rfm("ben", 174, 1, 200.0, [1, 1, 5], "hibernating")]);
    let table = env.run(&["report", "rfm"]).ok();
    assert!(table.lines().next().unwrap().split_whitespace().eq([
        "customer",
        "recency_days",
        "frequency",
        "monetary",
        "r",
        "f",
        "m",
        "segment"
    ]));
    // Reports write and commit nothing.
    assert_eq!(env.commits().len(), 1);
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RfmSummaryRow {
    segment: String,
    customers: u64,
    #[serde(deserialize_with = "crate::common::present")]
    share: Option<f64>,
    revenue: f64,
    #[serde(deserialize_with = "crate::common::present")]
    avg_recency_days: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    avg_frequency: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    avg_monetary: Option<f64>,
}

#[test]
fn rfm_summary_lists_every_segment_of_the_grid() {
    let env = store();
    let summary: Vec<RfmSummaryRow> = json(&env, &["report", "rfm", "--summary"]);
    let names: Vec<&str> = summary.iter().map(|r| r.segment.as_str()).collect();
    assert_eq!(
        names,
        [
            "champions",
            "loyal_customers",
            "potential_loyalists",
            "new_customers",
            "promising",
            "need_attention",
            "about_to_sleep",
            "at_risk",
            "cant_lose",
            "hibernating"
        ]
    );
    // cy alone: 1 of 3, revenue 60, recency 42, frequency 2.
    assert_eq!(
        summary[1],
        RfmSummaryRow {
            segment: "loyal_customers".into(),
            customers: 1,
            share: Some(1.0 / 3.0),
            revenue: 60.0,
            avg_recency_days: Some(42.0),
            avg_frequency: Some(2.0),
            avg_monetary: Some(60.0),
        }
    );
    assert_eq!(summary[0].avg_monetary, None);
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionRow {
    #[serde(deserialize_with = "crate::common::present")]
    region: Option<String>,
    customers: u64,
    #[serde(deserialize_with = "crate::common::present")]
    share: Option<f64>,
    orders: u64,
    revenue: f64,
    #[serde(deserialize_with = "crate::common::present")]
    aov: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    revenue_per_customer: Option<f64>,
    contacts_90d: u64,
    open_deals: u64,
    open_amount: f64,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentRow {
    segment: String,
    customers: u64,
    #[serde(deserialize_with = "crate::common::present")]
    share: Option<f64>,
    orders: u64,
    revenue: f64,
    #[serde(deserialize_with = "crate::common::present")]
    aov: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    revenue_per_customer: Option<f64>,
    contacts_90d: u64,
    open_deals: u64,
    open_amount: f64,
}

#[test]
fn segments_by_field_and_by_named_segment() {
    let env = store();
    // EU = ana + ben: 3 orders, 100 + 50 + 200 = 350, aov 350 / 3 = 116.666... -> 116.67,
    // per customer 175; ana's phone call of 11-01 is within 90 days (the answers of
    // 03-01 are not); ben's open deal of 500. US = cy: 2 orders, 60. dan: no region.
    let rows: Vec<RegionRow> = json(&env, &["report", "segments", "--by", "region"]);
    assert_eq!(
        rows,
        [
            RegionRow {
                region: None,
                customers: 1,
                share: Some(0.25),
                orders: 0,
                revenue: 0.0,
                aov: None,
                revenue_per_customer: Some(0.0),
                contacts_90d: 0,
                open_deals: 0,
                open_amount: 0.0,
            },
            RegionRow {
                region: Some("EU".into()),
                customers: 2,
                share: Some(0.5),
                orders: 3,
                revenue: 350.0,
                aov: Some(116.67),
                revenue_per_customer: Some(175.0),
                contacts_90d: 1,
                open_deals: 1,
                open_amount: 500.0,
            },
            RegionRow {
                region: Some("US".into()),
                customers: 1,
                share: Some(0.25),
                orders: 2,
                revenue: 60.0,
                aov: Some(30.0),
                revenue_per_customer: Some(60.0),
                contacts_90d: 0,
                open_deals: 0,
                open_amount: 0.0,
            },
        ]
    );
    // Regions do not overlap: the total is the four customers once, 5 orders
    // worth 350 + 60, aov 410 / 5, 102.50 per customer, ben's open deal; the
    // key column shows `(none)` for dan.
    let total = ["report", "segments", "--by", "region", "--section", "total"];
    assert_eq!(
        env.run(&[&total[..], &["--format", "csv"]].concat()).ok(),
        "region,customers,share,orders,revenue,aov,revenue_per_customer,contacts_90d,open_deals,open_amount\n\
         total,4,1,5,410.00,82.00,102.50,1,1,500.00\n"
    );
    let table = env.run(&["report", "segments", "--by", "region"]).ok();
    assert!(table.contains("\n(none)  "), "{table}");
    assert!(table.contains("\nAll selected customers:\n"), "{table}");
    // big: ana (150) and ben (200); eu: ana and ben. Same figures as EU above.
    let named: Vec<SegmentRow> = json(&env, &["report", "segments"]);
    let names: Vec<(&str, u64, f64)> = named
        .iter()
        .map(|r| (r.segment.as_str(), r.customers, r.revenue))
        .collect();
    assert_eq!(names, [("big", 2, 350.0), ("eu", 2, 350.0)]);
    assert_eq!(
        env.run(&["report", "segments", "--format", "csv"]).ok(),
        "segment,customers,share,orders,revenue,aov,revenue_per_customer,contacts_90d,open_deals,open_amount\n\
         big,2,0.5,3,350.00,116.67,175.00,1,1,500.00\n\
         eu,2,0.5,3,350.00,116.67,175.00,1,1,500.00\n"
    );
    let stderr = env.run(&["report", "segments", "--by", "regoin"]).fails(2);
    assert!(stderr.contains("did you mean `region`?"), "{stderr}");
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueReport {
    summary: ValueSummary,
    customers: Vec<CustomerValue>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueSummary {
    customers: u64,
    orders: u64,
    revenue: f64,
    #[serde(deserialize_with = "crate::common::present")]
    aov: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    purchase_frequency: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    repeat_rate: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    churn_clv: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    margin: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    margin_rate: Option<f64>,
    lifespan_years: f64,
    pareto_customers: u64,
    #[serde(deserialize_with = "crate::common::present")]
    pareto_share: Option<f64>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerValue {
    customer: String,
    revenue: f64,
    orders: u64,
    aov: f64,
    #[serde(deserialize_with = "crate::common::present")]
    margin: Option<f64>,
    first_order: String,
    last_order: String,
    tenure_days: i64,
    purchases_per_year: f64,
    clv: f64,
}

#[test]
fn value_per_customer_and_store_wide() {
    let env = store();
    let report: ValueReport = json(&env, &["report", "value", "--top", "2"]);
    // No product costs: margin unknown, CLV on revenue (rate 1), lifespan 3 years.
    // ben: 200, tenure 174 days (a year at least) -> 1 per year; 200 x 1 x 3 = 600.
    // ana: 150 in 2, aov 75; tenure 01-10 -> 11-22 = 21+28+31+30+31+30+31+31+30+31+22
    //   = 316 -> 2 per year; 75 x 2 x 3 = 450. (cy, 60, is third: cut by --top 2.)
    assert_eq!(
        report.customers,
        [
            CustomerValue {
                customer: "ben".into(),
                revenue: 200.0,
                orders: 1,
                aov: 200.0,
                margin: None,
                first_order: "2026-06-01".into(),
                last_order: "2026-06-01".into(),
                tenure_days: 174,
                purchases_per_year: 1.0,
                clv: 600.0,
            },
            CustomerValue {
                customer: "ana".into(),
                revenue: 150.0,
                orders: 2,
                aov: 75.0,
                margin: None,
                first_order: "2026-01-10".into(),
                last_order: "2026-11-20".into(),
                tenure_days: 316,
                purchases_per_year: 2.0,
                clv: 450.0,
            },
        ]
    );
    // 3 buyers, 5 orders, 410; aov 82; frequency 5/3; repeaters ana and cy: 2/3;
    // churn CLV 82 x 5/3 / (1 - 2/3) = 410; top ceil(3/5) = 1 customer: ben, 200 of 410.
    assert_eq!(
        report.summary,
        ValueSummary {
            customers: 3,
            orders: 5,
            revenue: 410.0,
            aov: Some(82.0),
            purchase_frequency: Some(5.0 / 3.0),
            repeat_rate: Some(2.0 / 3.0),
            churn_clv: Some(410.0),
            margin: None,
            margin_rate: None,
            lifespan_years: 3.0,
            pareto_customers: 1,
            pareto_share: Some(200.0 / 410.0),
        }
    );
    // --lifespan 1 divides every CLV by 3: ana 150.
    let short: ValueReport = json(
        &env,
        &[
            "report",
            "value",
            "--lifespan",
            "1",
            "--where",
            "id = \"ana\"",
        ],
    );
    assert_eq!(short.customers[0].clv, 150.0);
    let stderr = env.run(&["report", "value", "--lifespan", "0"]).fails(2);
    assert!(stderr.contains("must be more than 0"), "{stderr}");
    let table = env.run(&["report", "value"]).ok();
    assert!(table.starts_with("Customers by revenue:\n"), "{table}");
    assert!(table.contains("\nStore-wide:\n"), "{table}");
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoyaltyReport {
    summary: LoyaltySummary,
    at_risk: Vec<AtRisk>,
    cohorts: Vec<Cohort>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoyaltySummary {
    customers: u64,
    repeat_customers: u64,
    #[serde(deserialize_with = "crate::common::present")]
    repeat_rate: Option<f64>,
    at_risk: u64,
    churn_factor: f64,
    responses: u64,
    promoters: u64,
    passives: u64,
    detractors: u64,
    #[serde(deserialize_with = "crate::common::present")]
    nps: Option<f64>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct AtRisk {
    customer: String,
    orders: u64,
    last_order: String,
    days_since_last: i64,
    median_gap_days: f64,
    threshold_days: f64,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cohort {
    cohort: String,
    customers: u64,
    retention: Vec<f64>,
}

#[test]
fn loyalty_repeat_rate_churn_risk_cohorts_and_nps() {
    let env = store();
    let report: LoyaltyReport = json(&env, &["report", "loyalty"]);
    // Repeaters ana and cy of 3 buyers. NPS: ana 10 and ben 9 promote, dan 7 is
    // passive, cy 3 detracts: 100 x (2/4 - 1/4) = 25.
    assert_eq!(
        report.summary,
        LoyaltySummary {
            customers: 3,
            repeat_customers: 2,
            repeat_rate: Some(2.0 / 3.0),
            at_risk: 1,
            churn_factor: 2.0,
            responses: 4,
            promoters: 2,
            passives: 1,
            detractors: 1,
            nps: Some(25.0),
        }
    );
    // cy: one gap of 10 days, threshold 2 x 10 = 20; 10-11 -> 11-22 = 42 days > 20.
    // ana: gap 314, threshold 628, 2 days: fine. ben: a single order.
    assert_eq!(
        report.at_risk,
        [AtRisk {
            customer: "cy".into(),
            orders: 2,
            last_order: "2026-10-11".into(),
            days_since_last: 42,
            median_gap_days: 10.0,
            threshold_days: 20.0,
        }]
    );
    // ana's cohort (January) runs 11 months to November, and she came back in it;
    // ben's (June) 6 months; cy's (October) 2, without a November order.
    let mut january = vec![0.0; 11];
    january[0] = 1.0;
    january[10] = 1.0;
    assert_eq!(
        report.cohorts,
        [
            Cohort {
                cohort: "2026-01".into(),
                customers: 1,
                retention: january
            },
            Cohort {
                cohort: "2026-06".into(),
                customers: 1,
                retention: vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
            },
            Cohort {
                cohort: "2026-10".into(),
                customers: 1,
                retention: vec![1.0, 0.0]
            },
        ]
    );
    // k = 5: cy's threshold becomes 50 > 42.
    let lenient: LoyaltyReport = json(&env, &["report", "loyalty", "--churn-factor", "5"]);
    assert!(lenient.at_risk.is_empty());
    assert_eq!(
        env.run(&[
            "report",
            "loyalty",
            "--section",
            "at-risk",
            "--format",
            "csv"
        ])
        .ok(),
        "customer,orders,last_order,days_since_last,median_gap_days,threshold_days\n\
         cy,2,2026-10-11,42,10,20\n"
    );
    // CSV prints the first section unless one is named.
    assert!(
        env.run(&["report", "loyalty", "--format", "csv"])
            .ok()
            .starts_with("figure,value\ncustomers,3\n")
    );
    let stderr = env
        .run(&["report", "loyalty", "--section", "nope"])
        .fails(2);
    assert!(
        stderr.contains("hint: its sections are: summary, at-risk, cohorts"),
        "{stderr}"
    );
}

#[test]
fn output_writes_the_file_instead_of_printing() {
    let env = store();
    let printed = env
        .run(&["report", "segments", "--format", "markdown"])
        .ok();
    assert!(
        printed.starts_with(
            "# Segments\n\nAs of 2026-11-22 · amounts in EUR\n\n## Segments\n\n| segment | customers |"
        ),
        "{printed}"
    );
    // Both segments hold the same two customers: the total counts them once.
    assert!(
        printed.contains(
            "## All selected customers, each once (the groups overlap: their rows add up to more)\n\n"
        ),
        "{printed}"
    );
    let run = env.run(&[
        "report",
        "segments",
        "--format",
        "markdown",
        "--output",
        "out/segments.md",
    ]);
    assert_eq!(run.ok(), "");
    let written = std::fs::read_to_string(env.path().join("out/segments.md")).unwrap();
    assert_eq!(written, printed);
}

#[test]
fn bad_filters_and_unknown_segments_are_usage_errors() {
    let env = store();
    let stderr = env
        .run(&[
            "report",
            "rfm",
            "--where",
            "region = \"EU\" and orders.total >=",
        ])
        .fails(2);
    assert!(
        stderr.starts_with("error: invalid filter at column 34: expected a value after `>=`"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: filters look like"), "{stderr}");
    let stderr = env
        .run(&["report", "segments", "--segment", "vip"])
        .fails(2);
    assert!(stderr.contains("error: unknown segment `vip`"), "{stderr}");
    assert!(
        stderr.contains("hint: the segments in relate.yaml are: big, eu"),
        "{stderr}"
    );
}

#[test]
fn an_empty_store_reports_nothing_without_failing() {
    let env = TestEnv::new();
    assert_eq!(env.run(&["report", "rfm", "--format", "json"]).ok(), "[]\n");
    let loyalty: LoyaltyReport = json(&env, &["report", "loyalty"]);
    assert_eq!(loyalty.summary.customers, 0);
    assert_eq!(loyalty.summary.repeat_rate, None);
    assert_eq!(loyalty.summary.nps, None);
    let value: ValueReport = json(&env, &["report", "value"]);
    assert_eq!(value.summary.aov, None);
    assert!(value.customers.is_empty());
    let segments: Vec<SegmentRow> = json(&env, &["report", "segments"]);
    assert_eq!(segments.len(), 1);
    assert_eq!(
        (segments[0].segment.as_str(), segments[0].customers),
        ("all", 0)
    );
}

#[test]
fn customer_list_where_and_segment() {
    let env = store();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["customer", "list", "--format", "csv"];
        all.extend(args);
        let stdout = env.run(&all).ok();
        stdout
            .lines()
            .skip(1)
            .map(|line| line.split(',').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&["--where", "orders.total >= 150 or region = null"]),
        ["ana", "ben", "dan"]
    );
    assert_eq!(
        ids(&["--where", "contacts.90d > 0 and tags contains \"vip\""]),
        ["ana"]
    );
    assert_eq!(
        ids(&["--where", "rfm.segment = \"loyal_customers\""]),
        ["cy"]
    );
    assert_eq!(
        ids(&["--segment", "eu", "--where", "deals.open > 0"]),
        ["ben"]
    );
    let stderr = env
        .run(&["customer", "list", "--where", "(region = \"EU\""])
        .fails(2);
    assert_eq!(
        stderr,
        "error: invalid filter at column 15: expected `)` to close the `(` at column 1, found the end of the filter\n  \
         (region = \"EU\"\n                ^\n\
         hint: filters look like `region = \"EU\" and orders.total >= 1000`; see docs/filters.md\n"
    );
    let stderr = env.run(&["customer", "list", "--segment", "nope"]).fails(2);
    assert!(
        stderr.contains("hint: the segments in relate.yaml are: big, eu"),
        "{stderr}"
    );
}
