//! `relate report funnel|forecast|basket|demand` on small stores built through
//! the CLI; every expected figure is worked out by hand in the comments.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::common::TestEnv;

/// Seven deals on the default pipeline (q = qualification 0.1, n =
/// needs_analysis 0.25, p = proposal 0.5, g = negotiation 0.75 and commit),
/// the clock at 2026-11-22:
///
/// | deal    | owner | amount | moves                                  | close by   |
/// | website | alice | 1000   | q 10-01, n 10-11, p 10-21, won 11-10   | 2026-12-15 |
/// | printer | alice | 500    | q 10-05, n 10-10, lost 10-20 (price)   |            |
/// | support | bob   | 800    | q 11-01, p 11-04 (skips n), open       | 2026-12-20 |
/// | toner   | bob   | 200    | q 11-15, open                          | 2027-01-10 |
/// | upgrade | bob   | 400    | q 10-02, n 10-03, g 10-09, open        | 2026-12-01 |
/// | paper   | bob   | 300    | q 10-03, lost 10-13 (timing)           |            |
/// | ink     | -     | 100    | q 10-04, lost 10-14 (timing)           |            |
fn pipeline_store() -> TestEnv {
    let env = TestEnv::with_basics();
    let new = |customer: &str, title: &str, amount: &str, at: &str, extra: &[&str]| -> String {
        let mut args = vec![
            "deal", "new", customer, "--title", title, "--amount", amount, "--at", at,
        ];
        args.extend(extra);
        env.run(&args).ok().trim().to_string()
    };
    let advance = |deal: &str, to: &str, at: &str| {
        env.run(&["deal", "advance", deal, "--to", to, "--at", at])
            .ok();
    };
    let lose = |deal: &str, reason: &str, at: &str| {
        env.run(&["deal", "lose", deal, "--reason", reason, "--at", at])
            .ok();
    };
    let alice = ["--owner", "alice"];
    let bob = ["--owner", "bob"];

    let website = new(
        "acme-corp",
        "Website",
        "1000",
        "2026-10-01",
        &[&alice[..], &["--close-by", "2026-12-15"]].concat(),
    );
    advance(&website, "needs_analysis", "2026-10-11");
    advance(&website, "proposal", "2026-10-21");
    env.run(&["deal", "win", &website, "--at", "2026-11-10"])
        .ok();

    let printer = new("ana-lima", "Printer", "500", "2026-10-05", &alice);
    advance(&printer, "needs_analysis", "2026-10-10");
    lose(&printer, "price", "2026-10-20");

    let support = new(
        "acme-corp",
        "Support",
        "800",
        "2026-11-01",
        &[&bob[..], &["--close-by", "2026-12-20"]].concat(),
    );
    advance(&support, "proposal", "2026-11-04");

    new(
        "ana-lima",
        "Toner",
        "200",
        "2026-11-15",
        &[&bob[..], &["--close-by", "2027-01-10"]].concat(),
    );

    let upgrade = new(
        "acme-corp",
        "Upgrade",
        "400",
        "2026-10-02",
        &[&bob[..], &["--close-by", "2026-12-01"]].concat(),
    );
    advance(&upgrade, "needs_analysis", "2026-10-03");
    advance(&upgrade, "negotiation", "2026-10-09");

    let paper = new("ana-lima", "Paper", "300", "2026-10-03", &bob);
    lose(&paper, "timing", "2026-10-13");

    let ink = new("acme-corp", "Ink", "100", "2026-10-04", &[]);
    lose(&ink, "timing", "2026-10-14");
    env
}

/// The JSON of a run, parsed into a struct that denies unknown fields.
#[track_caller]
fn json<T: DeserializeOwned>(env: &TestEnv, args: &[&str]) -> T {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let out = env.run(&all).ok();
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The whitespace-separated cells of the table row starting with `first`.
fn row<'a>(table: &'a str, first: &str) -> Vec<&'a str> {
    table
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|cells| cells.first() == Some(&first))
        .unwrap_or_else(|| panic!("no row `{first}` in\n{table}"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Funnel {
    stages: Vec<Stage>,
    #[serde(deserialize_with = "crate::common::present")]
    win_rate: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    avg_cycle_days: Option<f64>,
    lost_reasons: Vec<LostReason>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerFunnel {
    #[serde(deserialize_with = "crate::common::present")]
    owner: Option<String>,
    stages: Vec<Stage>,
    #[serde(deserialize_with = "crate::common::present")]
    win_rate: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    avg_cycle_days: Option<f64>,
    lost_reasons: Vec<LostReason>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Stage {
    stage: String,
    reached: u64,
    #[serde(deserialize_with = "crate::common::present")]
    next_conversion: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    cumulative_conversion: Option<f64>,
    open_deals: u64,
    open_amount: f64,
    weighted_amount: f64,
    #[serde(deserialize_with = "crate::common::present")]
    avg_days_in_stage: Option<f64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct LostReason {
    #[serde(deserialize_with = "crate::common::present")]
    reason: Option<String>,
    deals: u64,
}

fn lost(reason: &str, deals: u64) -> LostReason {
    LostReason {
        reason: Some(reason.into()),
        deals,
    }
}

#[test]
fn funnel_json_by_hand() {
    let env = pipeline_store();
    let commits = env.commits().len();
    let funnel: Funnel = json(&env, &["report", "funnel"]);
    // Furthest stage: website won, printer n, support p, toner q, upgrade g,
    // paper q, ink q. Reached q 7; n website, printer, support (skipped n but
    // reached p), upgrade = 4; p website, support, upgrade = 3; g website,
    // upgrade = 2; won 1.
    let reached: Vec<(&str, u64)> = funnel
        .stages
        .iter()
        .map(|s| (s.stage.as_str(), s.reached))
        .collect();
    assert_eq!(
        reached,
        [
            ("qualification", 7),
            ("needs_analysis", 4),
            ("proposal", 3),
            ("negotiation", 2),
            ("won", 1)
        ]
    );
    // Completed stays in q: website 10, printer 5, support 3, upgrade 1, paper 10,
    // ink 10 days = 39 / 6 = 6.5. Open in q: toner 200, weighted 200 x 0.1 = 20.
    assert_eq!(
        funnel.stages[0],
        Stage {
            stage: "qualification".into(),
            reached: 7,
            next_conversion: Some(4.0 / 7.0),
            cumulative_conversion: Some(1.0),
            open_deals: 1,
            open_amount: 200.0,
            weighted_amount: 20.0,
            avg_days_in_stage: Some(6.5),
        }
    );
    // n: stays website 10, printer 10 (to lost), upgrade 6 = 26 / 3; nothing open.
    assert_eq!(funnel.stages[1].next_conversion, Some(0.75)); // 3 / 4
    assert_eq!(funnel.stages[1].avg_days_in_stage, Some(26.0 / 3.0));
    assert_eq!(funnel.stages[1].open_deals, 0);
    // p: support open (800, weighted 400); website stayed 10-21..11-10 = 20 days.
    let p = &funnel.stages[2];
    assert_eq!(p.next_conversion, Some(2.0 / 3.0));
    assert_eq!(p.cumulative_conversion, Some(3.0 / 7.0));
    assert_eq!(
        (p.open_deals, p.open_amount, p.weighted_amount),
        (1, 800.0, 400.0)
    );
    assert_eq!(p.avg_days_in_stage, Some(20.0));
    // g: upgrade open (400 x 0.75 = 300), its stay not over: no average.
    let g = &funnel.stages[3];
    assert_eq!(g.next_conversion, Some(0.5));
    assert_eq!((g.open_amount, g.weighted_amount), (400.0, 300.0));
    assert_eq!(g.avg_days_in_stage, None);
    let won = &funnel.stages[4];
    assert_eq!(won.next_conversion, None);
    assert_eq!(won.cumulative_conversion, Some(1.0 / 7.0));
    // Closed: website won; printer, paper, ink lost: 1 / 4. Website's cycle:
    // 10-01..11-10 = 40 days.
    assert_eq!(funnel.win_rate, Some(0.25));
    assert_eq!(funnel.avg_cycle_days, Some(40.0));
    assert_eq!(funnel.lost_reasons, [lost("timing", 2), lost("price", 1)]);
    // Reports write nothing.
    assert_eq!(env.commits().len(), commits);
    assert!(!env.is_dirty());
}

#[test]
fn funnel_since_restricts_the_flow_and_closed_deals() {
    let env = pipeline_store();
    let funnel: Funnel = json(&env, &["report", "funnel", "--since", "2026-11-01"]);
    // Created from 11-01: support (q, p) and toner (q): q 2, n 1, p 1, g 0, won 0.
    let reached: Vec<u64> = funnel.stages.iter().map(|s| s.reached).collect();
    assert_eq!(reached, [2, 1, 1, 0, 0]);
    // The open columns stay the whole pipeline: upgrade still open in g.
    assert_eq!(funnel.stages[3].open_deals, 1);
    // Closed from 11-01: only website, won: 1 / 1, cycle 40, no lost reasons.
    assert_eq!(funnel.win_rate, Some(1.0));
    assert_eq!(funnel.avg_cycle_days, Some(40.0));
    assert!(funnel.lost_reasons.is_empty());
}

#[test]
fn funnel_as_of_a_past_date_rewinds_the_deals() {
    let env = pipeline_store();
    let funnel: Funnel = json(&env, &["report", "funnel", "--as-of", "2026-10-15"]);
    // On 10-15: support and toner do not exist yet; website is in n (won later),
    // printer in n (lost later), upgrade in g; paper and ink lost.
    // Reached: q 5; n website, printer, upgrade = 3; p upgrade = 1; g 1; won 0.
    let reached: Vec<u64> = funnel.stages.iter().map(|s| s.reached).collect();
    assert_eq!(reached, [5, 3, 1, 1, 0]);
    // Open in n: website 1000 + printer 500 = 1500, weighted 375.
    let n = &funnel.stages[1];
    assert_eq!(
        (n.open_deals, n.open_amount, n.weighted_amount),
        (2, 1500.0, 375.0)
    );
    // Closed by then: paper and ink lost: win rate 0, no cycle.
    assert_eq!(funnel.win_rate, Some(0.0));
    assert_eq!(funnel.avg_cycle_days, None);
    assert_eq!(funnel.lost_reasons, [lost("timing", 2)]);
}

#[test]
fn funnel_by_owner() {
    let env = pipeline_store();
    let owners: Vec<OwnerFunnel> = json(&env, &["report", "funnel", "--by", "owner"]);
    let names: Vec<Option<&str>> = owners.iter().map(|o| o.owner.as_deref()).collect();
    assert_eq!(names, [Some("alice"), Some("bob"), None]);
    let reached = |o: &OwnerFunnel| o.stages.iter().map(|s| s.reached).collect::<Vec<_>>();
    // alice: website (won) and printer (n, lost price): q 2, n 2, p 1, g 1, won 1.
    assert_eq!(reached(&owners[0]), [2, 2, 1, 1, 1]);
    assert_eq!(owners[0].win_rate, Some(0.5));
    assert_eq!(owners[0].avg_cycle_days, Some(40.0));
    assert_eq!(owners[0].lost_reasons, [lost("price", 1)]);
    // bob: support (p), toner (q), upgrade (g), paper (q, lost timing):
    // q 4, n 2, p 2, g 1, won 0; closed only paper: 0 / 1.
    assert_eq!(reached(&owners[1]), [4, 2, 2, 1, 0]);
    assert_eq!(owners[1].win_rate, Some(0.0));
    assert_eq!(owners[1].avg_cycle_days, None);
    // No owner: ink (q, lost timing).
    assert_eq!(reached(&owners[2]), [1, 0, 0, 0, 0]);
    assert_eq!(owners[2].lost_reasons, [lost("timing", 1)]);
}

#[test]
fn funnel_tables_and_csv() {
    let env = pipeline_store();
    let table = env.run(&["report", "funnel"]).ok();
    // Ratios and averages to two decimals in tables.
    assert_eq!(
        row(&table, "qualification"),
        [
            "qualification",
            "7",
            "0.57",
            "1.00",
            "1",
            "200.00",
            "20.00",
            "6.50"
        ]
    );
    assert_eq!(
        row(&table, "won"),
        ["won", "1", "0.14", "0", "0.00", "0.00"]
    );
    assert_eq!(row(&table, "timing"), ["timing", "2"]);
    assert_eq!(row(&table, "0.25"), ["0.25", "40.00"]);

    // CSV: the stages at full precision.
    let csv = env.run(&["--format", "csv", "report", "funnel"]).ok();
    assert_eq!(
        csv,
        "stage,reached,next_conversion,cumulative_conversion,open_deals,open_amount,weighted_amount,avg_days_in_stage\n\
         qualification,7,0.5714285714285714,1,1,200.00,20.00,6.5\n\
         needs_analysis,4,0.75,0.5714285714285714,0,0.00,0.00,8.666666666666666\n\
         proposal,3,0.6666666666666666,0.42857142857142855,1,800.00,400.00,20\n\
         negotiation,2,0.5,0.2857142857142857,1,400.00,300.00,\n\
         won,1,,0.14285714285714285,0,0.00,0.00,\n"
    );
    let reasons = env
        .run(&[
            "--format",
            "csv",
            "report",
            "funnel",
            "--section",
            "lost_reasons",
        ])
        .ok();
    assert_eq!(reasons, "reason,deals\ntiming,2\nprice,1\n");
    let by_owner = env
        .run(&[
            "--format",
            "csv",
            "report",
            "funnel",
            "--by",
            "owner",
            "--section",
            "summary",
        ])
        .ok();
    // alice 1 won of 2 closed; bob 0 of 1; no owner 0 of 1.
    assert_eq!(
        by_owner,
        "owner,win_rate,avg_cycle_days\nalice,0.5,40\nbob,0,\n,0,\n"
    );
}

#[test]
fn funnel_refuses_bad_arguments() {
    let env = pipeline_store();
    let stderr = env
        .run(&["report", "funnel", "--since", "2026-12-01"])
        .fails(2);
    assert!(stderr.contains("after the as-of date"), "{stderr}");
    let stderr = env.run(&["report", "funnel", "--by", "region"]).fails(2);
    assert!(stderr.contains("owner"), "{stderr}");
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Month {
    #[serde(deserialize_with = "crate::common::present")]
    month: Option<String>,
    currency: String,
    deals: u64,
    weighted: f64,
    best_case: f64,
    commit: f64,
}

#[test]
fn forecast_by_expected_close_month() {
    let env = pipeline_store();
    // Open on 11-22: support (p, 800, 12-20), upgrade (g commit, 400, 12-01),
    // toner (q, 200, 2027-01-10).
    // 2026-12: weighted 800 x 0.5 + 400 x 0.75 = 700, best 1200, commit 400.
    // 2027-01: weighted 200 x 0.1 = 20, best 200, commit 0.
    let months: Vec<Month> = json(&env, &["report", "forecast"]);
    let month = |m: Option<&str>, deals, weighted, best_case, commit| Month {
        month: m.map(str::to_string),
        currency: "EUR".into(),
        deals,
        weighted,
        best_case,
        commit,
    };
    assert_eq!(
        months,
        [
            month(Some("2026-12"), 2, 700.0, 1200.0, 400.0),
            month(Some("2027-01"), 1, 20.0, 200.0, 0.0),
        ]
    );
    // On 10-15: website (n, 1000, 12-15) and upgrade (g, 400, 12-01) expected in
    // December: 250 + 300 = 550, best 1400, commit 400; printer (n, 500, no
    // date; lost only on 10-20): 125.
    let past: Vec<Month> = json(&env, &["report", "forecast", "--as-of", "2026-10-15"]);
    assert_eq!(
        past,
        [
            month(Some("2026-12"), 2, 550.0, 1400.0, 400.0),
            month(None, 1, 125.0, 500.0, 0.0),
        ]
    );
    let csv = env.run(&["--format", "csv", "report", "forecast"]).ok();
    assert_eq!(
        csv,
        "month,currency,deals,weighted,best_case,commit\n2026-12,EUR,2,700.00,1200.00,400.00\n2027-01,EUR,1,20.00,200.00,0.00\n"
    );
    // --output writes the file instead of printing.
    let out = env.path().join("forecast.csv");
    let printed = env
        .run(&[
            "--format",
            "csv",
            "report",
            "forecast",
            "--output",
            out.to_str().unwrap(),
        ])
        .ok();
    assert_eq!(printed, "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), csv);
}

/// Products (price; category) and five orders of acme-corp:
///
/// | product | price | category  | segment  |
/// | ink     | 60    | supplies  | standard |
/// | paper   | 5     | office    | budget   |
/// | pens    | 2     | office    | budget   |
/// | printer | 499   | -         | standard |
/// | stapler | 12    | office    | budget   |
/// | toner   | 19.90 | -         | budget   |
///
/// | order | date           | lines                                   |
/// | t1    | Mon 2026-11-02 | paper 2, pens 1                         |
/// | t2    | Wed 2026-11-04 | paper 1, ink 1, printer 1, stapler 1    |
/// | t3    | Tue 2026-11-10 | pens 3, ink 2, printer 1, toner 4       |
/// | t4    | Wed 2026-11-18 | paper 5, pens 1, ink 1, printer 1       |
/// | t5    | Fri 2026-11-20 | paper 1, pens 2, ink 1, toner 2         |
///
/// and one order without lines (a total only), which neither report counts.
fn sales_store() -> TestEnv {
    let env = TestEnv::with_basics();
    for (id, price, category) in [
        ("ink", "60", "supplies"),
        ("paper", "5", "office"),
        ("pens", "2", "office"),
        ("stapler", "12", "office"),
    ] {
        env.run(&[
            "product",
            "add",
            id,
            "--name",
            id,
            "--price",
            price,
            "--category",
            category,
        ])
        .ok();
    }
    for (at, lines) in [
        ("2026-11-02", &["paper:2", "pens:1"][..]),
        (
            "2026-11-04",
            &["paper:1", "ink:1", "printer:1", "stapler:1"],
        ),
        ("2026-11-10", &["pens:3", "ink:2", "printer:1", "toner:4"]),
        ("2026-11-18", &["paper:5", "pens:1", "ink:1", "printer:1"]),
        ("2026-11-20", &["paper:1", "pens:2", "ink:1", "toner:2"]),
    ] {
        let mut args = vec!["order", "add", "acme-corp", "--at", at];
        for line in lines {
            args.extend(["--line", line]);
        }
        env.run(&args).ok();
    }
    env.run(&[
        "order",
        "add",
        "ana-lima",
        "--total",
        "50",
        "--at",
        "2026-11-05",
    ])
    .ok();
    env
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Rule {
    antecedents: Vec<String>,
    consequents: Vec<String>,
    support: f64,
    confidence: f64,
    lift: f64,
    leverage: f64,
    #[serde(deserialize_with = "crate::common::present")]
    conviction: Option<f64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Itemset {
    items: Vec<String>,
    support: f64,
}

#[test]
fn basket_rules_by_hand() {
    let env = sales_store();
    // Counts over the 5 orders with lines: ink 4 (t2-t5), paper 4 (t1 t2 t4 t5),
    // pens 4 (t1 t3 t4 t5), printer 3 (t2-t4), toner 2, stapler 1. At support 0.6
    // (3 orders): pairs ink+printer (t2 t3 t4), ink+paper (t2 t4 t5), ink+pens
    // (t3 t4 t5), paper+pens (t1 t4 t5); paper+printer and pens+printer 2;
    // ink+paper+pens only t4 t5.
    let args = [
        "report",
        "basket",
        "--min-support",
        "0.6",
        "--min-confidence",
        "0.7",
    ];
    let rules: Vec<Rule> = json(&env, &args);
    let rule = |a: &str, c: &str, m: [f64; 4], conviction: Option<f64>| Rule {
        antecedents: vec![a.into()],
        consequents: vec![c.into()],
        support: m[0],
        confidence: m[1],
        lift: m[2],
        leverage: m[3],
        conviction,
    };
    // printer -> ink: 3/3 = confidence 1, lift 1 / 0.8 = 1.25, leverage
    // 0.6 - 0.6 x 0.8 = 0.12, conviction infinite: null.
    // ink -> printer: 3/4 = 0.75, lift 0.75 / 0.6 = 1.25, leverage 0.12,
    // conviction (1 - 0.6) / (1 - 0.75) = 1.6.
    // The six among ink, paper, pens: 0.75, lift 0.75 / 0.8 = 0.9375, leverage
    // 0.6 - 0.64 = -0.04, conviction 0.2 / 0.25 = 0.8; tied, so by antecedent,
    // then consequent.
    let weak = [0.6, 0.75, 0.9375, -0.04];
    assert_eq!(
        rules,
        [
            rule("printer", "ink", [0.6, 1.0, 1.25, 0.12], None),
            rule("ink", "printer", [0.6, 0.75, 1.25, 0.12], Some(1.6)),
            rule("ink", "paper", weak, Some(0.8)),
            rule("ink", "pens", weak, Some(0.8)),
            rule("paper", "ink", weak, Some(0.8)),
            rule("paper", "pens", weak, Some(0.8)),
            rule("pens", "ink", weak, Some(0.8)),
            rule("pens", "paper", weak, Some(0.8)),
        ]
    );
    let mut csv_args = vec!["--format", "csv"];
    csv_args.extend(args);
    let csv = env.run(&csv_args).ok();
    let lines: Vec<&str> = csv.lines().take(4).collect();
    assert_eq!(
        lines,
        [
            "antecedents,consequents,support,confidence,lift,leverage,conviction",
            "printer,ink,0.6,1,1.25,0.12,inf",
            "ink,printer,0.6,0.75,1.25,0.12,1.6",
            "ink,paper,0.6,0.75,0.9375,-0.04,0.8",
        ]
    );
    let table = env.run(&args).ok();
    assert_eq!(
        row(&table, "printer"),
        ["printer", "ink", "0.60", "1.00", "1.25", "0.12", "inf"]
    );

    let mut itemset_args = args.to_vec();
    itemset_args.push("--itemsets");
    let itemsets: Vec<Itemset> = json(&env, &itemset_args);
    let found: Vec<(String, f64)> = itemsets
        .iter()
        .map(|s| (s.items.join("+"), s.support))
        .collect();
    let expected: Vec<(String, f64)> = [
        ("ink", 0.8),
        ("paper", 0.8),
        ("pens", 0.8),
        ("ink+paper", 0.6),
        ("ink+pens", 0.6),
        ("ink+printer", 0.6),
        ("paper+pens", 0.6),
        ("printer", 0.6),
    ]
    .iter()
    .map(|(items, support)| (items.to_string(), *support))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn basket_thresholds_and_failures() {
    let env = sales_store();
    // At most one item per set: no rules at all.
    let rules: Vec<Rule> = json(&env, &["report", "basket", "--max-len", "1"]);
    assert!(rules.is_empty());
    // Before the first order: nothing to mine.
    let rules: Vec<Rule> = json(&env, &["report", "basket", "--as-of", "2026-11-01"]);
    assert!(rules.is_empty());
    for bad in [
        &["--min-support", "1.5"][..],
        &["--min-support", "0"],
        &["--min-support", "many"],
        &["--min-confidence", "2"],
        &["--max-len", "0"],
    ] {
        let mut args = vec!["report", "basket"];
        args.extend(bad);
        env.run(&args).fails(2);
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductDemand {
    product: String,
    history: Vec<Units>,
    forecast: Vec<Units>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryDemand {
    #[serde(deserialize_with = "crate::common::present")]
    category: Option<String>,
    history: Vec<Units>,
    forecast: Vec<Units>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentDemand {
    #[serde(deserialize_with = "crate::common::present")]
    segment: Option<String>,
    history: Vec<Units>,
    forecast: Vec<Units>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Units {
    period_start: String,
    units: f64,
    /// In history only: the as-of date's unfinished period.
    #[serde(default)]
    partial: bool,
}

fn units(points: &[(&str, f64)]) -> Vec<Units> {
    points
        .iter()
        .map(|(period_start, units)| Units {
            period_start: period_start.to_string(),
            units: *units,
            partial: false,
        })
        .collect()
}

#[test]
fn weekly_demand_per_product_by_hand() {
    let env = sales_store();
    let weekly = [
        "report",
        "demand",
        "--period",
        "week",
        "--horizon",
        "2",
        "--method",
    ];
    let run = |method: &str| -> Vec<ProductDemand> {
        let mut args = weekly.to_vec();
        args.push(method);
        json(&env, &args)
    };
    // As of Sunday 11-22, weeks from Monday 11-02, 11-09, 11-16.
    let all = run("ma");
    let products: Vec<&str> = all.iter().map(|d| d.product.as_str()).collect();
    assert_eq!(
        products,
        ["ink", "paper", "pens", "printer", "stapler", "toner"]
    );
    // paper: 2 + 1 = 3 in week 11-02, none in 11-09, 5 + 1 = 6 in 11-16.
    let paper = &all[1];
    assert_eq!(
        paper.history,
        units(&[
            ("2026-11-02", 3.0),
            ("2026-11-09", 0.0),
            ("2026-11-16", 6.0)
        ])
    );
    // Moving average over 3 weeks: (3 + 0 + 6) / 3 = 3 for 11-23 and 11-30.
    assert_eq!(
        paper.forecast,
        units(&[("2026-11-23", 3.0), ("2026-11-30", 3.0)])
    );
    // toner first sold in week 11-09 (4), then 2: its history starts there.
    assert_eq!(
        all[5].history,
        units(&[("2026-11-09", 4.0), ("2026-11-16", 2.0)])
    );
    // stapler: 1, then two empty weeks.
    assert_eq!(
        all[4].history,
        units(&[
            ("2026-11-02", 1.0),
            ("2026-11-09", 0.0),
            ("2026-11-16", 0.0)
        ])
    );

    // SES, alpha 0.5, paper [3, 0, 6]: l0 = 3, l1 = 3, l2 = 1.5, l3 = 3 + 0.75 = 3.75.
    let mut args = weekly.to_vec();
    args.extend(["ses", "--alpha", "0.5"]);
    let ses: Vec<ProductDemand> = json(&env, &args);
    assert_eq!(
        ses[1].forecast,
        units(&[("2026-11-23", 3.75), ("2026-11-30", 3.75)])
    );

    // Holt, alpha = beta = 0.5, paper [3, 0, 6]: l0 = 3, b0 = 0 - 3 = -3.
    // y=3: l1 = 1.5 + .5(3 - 3) = 1.5;         b1 = .5(1.5 - 3) + .5(-3) = -2.25
    // y=0: l2 = 0 + .5(1.5 - 2.25) = -0.375;   b2 = .5(-1.875) + .5(-2.25) = -2.0625
    // y=6: l3 = 3 + .5(-0.375 - 2.0625) = 1.78125;
    //      b3 = .5(1.78125 + 0.375) + .5(-2.0625) = 0.046875
    // ahead: 1.78125 + 0.046875 = 1.828125, + 2 x 0.046875 = 1.875.
    let mut args = weekly.to_vec();
    args.extend(["holt", "--alpha", "0.5", "--beta", "0.5"]);
    let holt: Vec<ProductDemand> = json(&env, &args);
    assert_eq!(
        holt[1].forecast,
        units(&[("2026-11-23", 1.828125), ("2026-11-30", 1.875)])
    );

    // Tables and CSV: one row per product, one column per week (ISO weeks
    // 45 to 47), then the forecast's; toner's weeks before its first sale blank.
    let mut args = vec!["--format", "csv"];
    args.extend(weekly);
    args.push("ma");
    let csv = env.run(&args).ok();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "product,2026-W45,2026-W46,2026-W47,2026-W48 (f),2026-W49 (f)"
    );
    assert_eq!(rows[2], "paper,3,0,6,3,3");
    assert_eq!(rows[6], "toner,,4,2,3,3");
}

#[test]
fn monthly_demand_by_category_and_segment() {
    let env = sales_store();
    // November per category: office = paper 9 + pens 7 + stapler 1 = 17;
    // supplies = ink 5; no category = printer 3 + toner 6 = 9, listed last.
    // As of today (11-22), November is under way: marked, and not forecast from.
    let today: Vec<CategoryDemand> = json(&env, &["report", "demand", "--by", "category"]);
    assert!(today[0].history[0].partial);
    assert!(today.iter().all(|d| d.forecast.is_empty()));
    // As of its last day, a single whole month: every method forecasts its value
    // (window 3 averages the one month there is), for December, January and February.
    let whole = ["report", "demand", "--as-of", "2026-11-30"];
    let categories: Vec<CategoryDemand> = json(&env, &[&whole[..], &["--by", "category"]].concat());
    let found: Vec<(Option<&str>, &[Units], f64)> = categories
        .iter()
        .map(|d| (d.category.as_deref(), &d.history[..], d.forecast[2].units))
        .collect();
    assert_eq!(
        found,
        [
            (Some("office"), &units(&[("2026-11-01", 17.0)])[..], 17.0),
            (Some("supplies"), &units(&[("2026-11-01", 5.0)])[..], 5.0),
            (None, &units(&[("2026-11-01", 9.0)])[..], 9.0),
        ]
    );
    assert_eq!(categories[0].forecast[2].period_start, "2027-02-01");
    // Price segments (budget below 50, standard below 500): budget = paper 9 +
    // pens 7 + stapler 1 + toner 6 = 23; standard = ink 5 + printer 3 = 8.
    let segments: Vec<SegmentDemand> = json(&env, &[&whole[..], &["--by", "segment"]].concat());
    let found: Vec<(Option<&str>, f64)> = segments
        .iter()
        .map(|d| (d.segment.as_deref(), d.history[0].units))
        .collect();
    assert_eq!(found, [(Some("budget"), 23.0), (Some("standard"), 8.0)]);
    // The default horizon: three months.
    assert!(segments.iter().all(|d| d.forecast.len() == 3));
}

#[test]
fn demand_refuses_bad_arguments() {
    let env = sales_store();
    for bad in [
        &["--method", "arima"][..],
        &["--period", "day"],
        &["--by", "region"],
        &["--alpha", "1.5"],
        &["--beta", "-0.5"],
        &["--window", "0"],
        &["--horizon", "-1"],
        // Past the bound: an error, not a date past the calendar's end or an
        // allocation of gigabytes.
        &["--horizon", "5000000"],
        &["--horizon", "4294967295"],
    ] {
        let mut args = vec!["report", "demand"];
        args.extend(bad);
        let stderr = env.run(&args).fails(2);
        assert!(stderr.starts_with("error:"), "{stderr}");
    }
    let stderr = env.run(&["report", "demand", "--horizon", "521"]).fails(2);
    assert!(
        stderr.starts_with("error: --horizon 521 is more than 520 periods"),
        "{stderr}"
    );
    // The bound itself is a forecast.
    let at_bound: Vec<SegmentDemand> = json(
        &env,
        &[
            "report",
            "demand",
            "--as-of",
            "2026-11-30",
            "--by",
            "segment",
            "--horizon",
            "520",
        ],
    );
    assert!(at_bound.iter().all(|d| d.forecast.len() == 520));
}

#[test]
fn reports_follow_the_customer_selection() {
    let env = pipeline_store();
    // acme-corp's deals: website (won), support (p), upgrade (g), ink (q, lost).
    // Reached q 4; n website, support, upgrade = 3; p 3; g website, upgrade = 2;
    // won 1. Closed: website won, ink lost: 1 / 2.
    let acme = ["--where", r#"id = "acme-corp""#];
    let mut args = vec!["report", "funnel"];
    args.extend(acme);
    let funnel: Funnel = json(&env, &args);
    let reached: Vec<u64> = funnel.stages.iter().map(|s| s.reached).collect();
    assert_eq!(reached, [4, 3, 3, 2, 1]);
    assert_eq!(funnel.win_rate, Some(0.5));
    assert_eq!(funnel.lost_reasons, [lost("timing", 1)]);

    // A named segment selects the same: the forecast loses ana-lima's toner (2027-01).
    let settings = env.read("relate.yaml").replace(
        "segments: {}",
        "segments:\n  acme:\n    where: 'id = \"acme-corp\"'",
    );
    env.write("relate.yaml", &settings);
    let months: Vec<Month> = json(&env, &["report", "forecast", "--segment", "acme"]);
    assert_eq!(
        months,
        [Month {
            month: Some("2026-12".into()),
            currency: "EUR".into(),
            deals: 2,
            weighted: 700.0,
            best_case: 1200.0,
            commit: 400.0,
        }]
    );

    // ana-lima only has an order without lines: nothing to mine or count.
    let sales = sales_store();
    let ana = ["--where", r#"id = "ana-lima""#];
    let mut args = vec!["report", "basket"];
    args.extend(ana);
    let rules: Vec<Rule> = json(&sales, &args);
    assert!(rules.is_empty());
    let mut args = vec!["report", "demand"];
    args.extend(ana);
    let demand: Vec<ProductDemand> = json(&sales, &args);
    assert!(demand.is_empty());
}
