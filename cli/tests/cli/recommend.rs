//! `relate recommend` on a store whose association rules and RFM segments are
//! worked out by hand. The clock is 2026-11-22.

use serde::Deserialize;

use crate::common::TestEnv;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Offer {
    rank: u64,
    product: String,
    name: String,
    basis: String,
    #[serde(deserialize_with = "crate::common::present")]
    confidence: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    lift: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    popularity: Option<f64>,
    reason: String,
}

/// Ten orders (transactions):
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
/// zed has a laptop installed 2021-01-10; laptops are due for an upgrade after
/// 4 years and their successor is laptop-2. Nobody bought cable.
fn store() -> TestEnv {
    let env = TestEnv::new();
    for sku in [
        "bag", "cable", "laptop-2", "mouse", "paper", "printer", "stapler", "toner",
    ] {
        env.created(&[
            "product",
            "add",
            sku,
            "--name",
            &sku.to_uppercase(),
            "--price",
            "10",
        ]);
    }
    env.created(&[
        "product",
        "add",
        "laptop",
        "--name",
        "LAPTOP",
        "--price",
        "900",
        "--upgrade-after-years",
        "4",
        "--successor",
        "laptop-2",
    ]);
    for customer in ["ana", "bob", "cid", "dan", "zed"] {
        env.created(&["customer", "add", customer]);
    }
    let orders: [(&str, &str, &[&str]); 10] = [
        ("ana", "09-01", &["printer", "toner"]),
        ("ana", "11-20", &["printer", "toner", "paper"]),
        ("bob", "09-05", &["printer", "toner"]),
        ("bob", "10-15", &["printer", "paper"]),
        ("cid", "08-01", &["laptop", "bag"]),
        ("cid", "10-01", &["laptop", "bag", "mouse"]),
        ("dan", "09-10", &["laptop", "mouse"]),
        ("dan", "11-01", &["paper", "stapler"]),
        ("zed", "09-20", &["printer"]),
        ("zed", "11-10", &["laptop"]),
    ];
    for (customer, date, products) in orders {
        let at = format!("2026-{date}");
        let mut args = vec!["order", "add", customer, "--at", &at];
        let lines: Vec<String> = products.iter().map(|p| format!("{p}:1")).collect();
        for line in &lines {
            args.extend(["--line", line]);
        }
        env.created(&args);
    }
    env.created(&[
        "asset",
        "add",
        "zed",
        "--product",
        "laptop",
        "--installed",
        "2021-01-10",
    ]);
    env
}

fn offer(rank: u64, product: &str, basis: &str, measures: [Option<f64>; 3], reason: &str) -> Offer {
    Offer {
        rank,
        product: product.into(),
        name: product.to_uppercase(),
        basis: basis.into(),
        confidence: measures[0],
        lift: measures[1],
        popularity: measures[2],
        reason: reason.into(),
    }
}

#[test]
fn next_best_offers_follow_the_rules_then_the_segment() {
    let env = store();
    let offers: Vec<Offer> = env.json(&["recommend", "zed"]);
    // zed bought printer and laptop. Counts over N = 10 orders: printer 5, toner
    // 3, paper 3, laptop 4, bag 2, mouse 2; together: printer+toner 3,
    // printer+paper 2, laptop+bag 2, laptop+mouse 2 (printer+laptop never):
    // - printer -> toner: confidence 3/5 = 0.6, lift 0.6 / (3/10) = 2
    // - laptop -> bag, laptop -> mouse: 2/4 = 0.5, lift 0.5 / (2/10) = 2.5
    // - printer -> paper: 2/5 = 0.4, lift 0.4 / (3/10) = 4/3
    // RFM of the five buyers (each score is the rank): recency ana 2 days, zed
    // 12, dan 21, bob 38, cid 52 -> r 5, 4, 3, 2, 1; two orders each, ties by id
    // -> f ana 1, bob 2, cid 3, dan 4, zed 5. zed (4, 5) and dan (3, 4) are
    // loyal_customers; zed's one peer, dan, bought laptop, mouse, paper and
    // stapler: popularity 1 for mouse, paper and stapler, 0 for toner and bag.
    // mouse and bag tie on confidence and lift: mouse's popularity puts it first.
    let rule = |c: f64, l: f64, p: f64| [Some(c), Some(l), Some(p)];
    assert_eq!(
        offers,
        [
            offer(
                1,
                "laptop-2",
                "upgrade",
                [None, None, None],
                "zed-laptop (laptop, installed 2021-01-10) is 5 years old; laptop is due for an upgrade after 4 years"
            ),
            offer(
                2,
                "toner",
                "rule",
                rule(0.6, 2.0, 0.0),
                "60% of the orders with printer also have toner (lift 2.00)"
            ),
            offer(
                3,
                "mouse",
                "rule",
                rule(0.5, 2.5, 1.0),
                "50% of the orders with laptop also have mouse (lift 2.50)"
            ),
            offer(
                4,
                "bag",
                "rule",
                rule(0.5, 2.5, 0.0),
                "50% of the orders with laptop also have bag (lift 2.50)"
            ),
            offer(
                5,
                "paper",
                "rule",
                rule(0.4, 4.0 / 3.0, 1.0),
                "40% of the orders with printer also have paper (lift 1.33)"
            ),
            offer(
                6,
                "stapler",
                "segment",
                [None, None, Some(1.0)],
                "bought by 1 of the 1 other customers in RFM segment loyal_customers"
            ),
        ]
    );
    // With a stricter confidence only the toner rule (0.6) is left; mouse,
    // paper and stapler stay on their popularity, bag (popularity 0) drops out.
    let strict: Vec<Offer> = env.json(&[
        "recommend",
        "zed",
        "--min-confidence",
        "0.55",
        "--limit",
        "4",
    ]);
    let products: Vec<(&str, &str)> = strict
        .iter()
        .map(|o| (o.product.as_str(), o.basis.as_str()))
        .collect();
    assert_eq!(
        products,
        [
            ("laptop-2", "upgrade"),
            ("toner", "rule"),
            ("mouse", "segment"),
            ("paper", "segment")
        ]
    );
    let table = env.run(&["recommend", "zed", "--limit", "2"]).ok();
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(
        table.lines().nth(2).unwrap().starts_with("   2  toner"),
        "{table}"
    );
}

#[test]
fn bad_recommend_arguments() {
    let env = store();
    let stderr = env.run(&["recommend", "zedd"]).fails(3);
    assert!(
        stderr.contains("no customer `zedd`") && stderr.contains("did you mean `zed`?"),
        "{stderr}"
    );
    let stderr = env
        .run(&["recommend", "zed", "--min-confidence", "2"])
        .fails(2);
    assert!(
        stderr.contains("--min-confidence 2 is not between 0 and 1"),
        "{stderr}"
    );
    let stderr = env
        .run(&["recommend", "zed", "--min-support", "0"])
        .fails(2);
    assert!(
        stderr.contains("--min-support 0 is not above 0"),
        "{stderr}"
    );
}
