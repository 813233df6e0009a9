use serde::Deserialize;

use crate::common::TestEnv;

/// A record as in its file: unset optional fields are absent, not `null`
/// (docs/cli.md), so a missing key is a `None` here, not an error.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // fields exist to lock the shape
struct DealJson {
    id: String,
    customer: String,
    title: String,
    owner: Option<String>,
    amount: Option<f64>,
    currency: Option<String>,
    stage: String,
    created: String,
    expected_close: Option<String>,
    #[serde(default)]
    lines: Vec<LineJson>,
    #[serde(default)]
    history: Vec<MoveJson>,
    outcome: Option<String>,
    closed: Option<String>,
    lost_reason: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct LineJson {
    product: String,
    quantity: f64,
    price: f64,
}

/// A stage move in a deal's history, as in the file: `by` is absent when
/// unknown, so a missing key is a `None` here, not an error.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct MoveJson {
    stage: String,
    at: String,
    by: Option<String>,
}

fn deal(env: &TestEnv, id: &str) -> DealJson {
    serde_json::from_str(&env.run(&["deal", "show", id, "--format", "json"]).ok()).unwrap()
}

#[test]
fn new_deal_sums_its_lines_and_starts_its_history() {
    let env = TestEnv::with_basics();
    let id = env
        .run(&[
            "deal",
            "new",
            "acme-corp",
            "--title",
            "Printer refresh",
            "--line",
            "printer:2",
            "--line",
            "toner:10:18.50",
            "--close-by",
            "2027-01-31",
        ])
        .ok();
    assert_eq!(id, "acme-corp-printer-refresh\n");
    let d = deal(&env, "acme-corp-printer-refresh");
    // 2 x 499 + 10 x 18.50 = 998 + 185 = 1183
    assert_eq!(d.amount, Some(1183.0));
    assert_eq!(d.currency.as_deref(), Some("EUR"));
    assert_eq!(d.stage, "qualification");
    assert_eq!(
        d.history,
        [MoveJson {
            stage: "qualification".into(),
            at: "2026-11-22".into(),
            by: Some("Test User".into())
        }]
    );
    assert_eq!(
        env.commits()[0],
        "deal new: acme-corp-printer-refresh for acme-corp"
    );
}

#[test]
fn advance_moves_forward_and_refuses_the_rest() {
    let env = TestEnv::with_basics();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Big",
        "--amount",
        "5000",
        "--at",
        "2026-10-01",
    ])
    .ok();
    env.run(&["deal", "advance", "acme-corp-big", "--at", "2026-10-10"])
        .ok();
    env.run(&[
        "deal",
        "advance",
        "acme-corp-big",
        "--to",
        "negotiation",
        "--at",
        "2026-11-01",
    ])
    .ok();
    let d = deal(&env, "acme-corp-big");
    let stages: Vec<(&str, &str)> = d
        .history
        .iter()
        .map(|m| (m.stage.as_str(), m.at.as_str()))
        .collect();
    assert_eq!(
        stages,
        [
            ("qualification", "2026-10-01"),
            ("needs_analysis", "2026-10-10"),
            ("negotiation", "2026-11-01")
        ]
    );
    assert_eq!(
        env.commits()[0],
        "deal advance: acme-corp-big to negotiation"
    );

    let before = env.read("deals/acme-corp-big.yaml");
    let commits = env.commits().len();
    let stderr = env
        .run(&["deal", "advance", "acme-corp-big", "--to", "proposal"])
        .fails(1);
    assert!(stderr.contains("deals only move forward"), "{stderr}");
    assert!(stderr.contains("hint: to undo a mistaken move"), "{stderr}");
    let stderr = env
        .run(&["deal", "advance", "acme-corp-big", "--to", "won"])
        .fails(1);
    assert!(
        stderr.contains("hint: close it with `relate deal win acme-corp-big`"),
        "{stderr}"
    );
    let stderr = env.run(&["deal", "advance", "acme-corp-big"]).fails(1);
    assert!(stderr.contains("is the last open stage"), "{stderr}");
    let stderr = env
        .run(&["deal", "advance", "acme-corp-big", "--to", "dreaming"])
        .fails(2);
    assert!(stderr.contains("unknown stage `dreaming`"), "{stderr}");
    assert!(
        stderr.contains("hint: the pipeline is: qualification, needs_analysis"),
        "{stderr}"
    );
    let stderr = env
        .run(&["deal", "advance", "acme-corp-big", "--at", "2026-10-20"])
        .fails(1);
    assert!(stderr.contains("before the deal's last move"), "{stderr}");
    assert_eq!(env.read("deals/acme-corp-big.yaml"), before);
    assert_eq!(env.commits().len(), commits);
}

#[test]
fn win_closes_the_deal_and_records_its_order_in_one_commit() {
    let env = TestEnv::with_basics();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Toner",
        "--line",
        "toner:10",
        "--at",
        "2026-11-01",
    ])
    .ok();
    let order_id = env
        .run(&[
            "deal",
            "win",
            "acme-corp-toner",
            "--at",
            "2026-11-20T16:00:00Z",
        ])
        .ok();
    let d = deal(&env, "acme-corp-toner");
    assert_eq!(
        (d.stage.as_str(), d.outcome.as_deref(), d.closed.as_deref()),
        ("won", Some("won"), Some("2026-11-20"))
    );
    let files = env.last_commit_files();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[0], "deals/acme-corp-toner.yaml");
    assert!(
        files[1].starts_with("orders/2026/11/20261120t160000-"),
        "{files:?}"
    );
    assert_eq!(
        files[1],
        format!("orders/2026/11/{}.yaml", order_id.trim()),
        "the new order's id alone on stdout"
    );
    let order = env.yaml(&files[1]);
    assert_eq!(order["customer"], "acme-corp");
    assert_eq!(order["deal"], "acme-corp-toner");
    assert_eq!(order["total"].as_f64(), Some(199.0), "10 x 19.90");
    assert_eq!(env.commits()[0], "deal win: acme-corp-toner");

    let stderr = env
        .run(&["deal", "lose", "acme-corp-toner", "--reason", "price"])
        .fails(1);
    assert!(stderr.contains("already closed as won"), "{stderr}");
}

#[test]
fn lose_records_the_reason() {
    let env = TestEnv::with_basics();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Lost one",
        "--amount",
        "900",
    ])
    .ok();
    env.run(&[
        "deal",
        "lose",
        "acme-corp-lost-one",
        "--reason",
        "competitor",
    ])
    .ok();
    let yaml = env.yaml("deals/acme-corp-lost-one.yaml");
    assert_eq!(yaml["stage"], "lost");
    assert_eq!(yaml["lost_reason"], "competitor");
    assert_eq!(yaml["history"][1]["stage"], "lost");
    assert_eq!(env.commits()[0], "deal lose: acme-corp-lost-one to lost");
    assert!(
        !env.store().join("orders/2026").exists(),
        "a lost deal makes no order"
    );
}

#[test]
fn list_filters_and_locks_its_json() {
    let env = TestEnv::with_basics();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "One",
        "--amount",
        "100",
    ])
    .ok();
    env.run(&[
        "deal", "new", "ana-lima", "--title", "Two", "--amount", "200", "--stage", "proposal",
    ])
    .ok();
    env.run(&["deal", "lose", "acme-corp-one", "--reason", "timing"])
        .ok();
    let open: Vec<DealJson> = serde_json::from_str(
        &env.run(&["deal", "list", "--open", "--format", "json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(
        open.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["ana-lima-two"]
    );
    let csv = env
        .run(&["deal", "list", "--customer", "acme-corp", "--format", "csv"])
        .ok();
    assert_eq!(
        csv,
        "id,customer,title,stage,amount,currency,owner,expected_close,closed\n\
         acme-corp-one,acme-corp,One,lost,100.00,EUR,,,2026-11-22\n"
    );
    let stderr = env
        .run(&["deal", "new", "acme-corp", "--title", "X", "--stage", "won"])
        .fails(2);
    assert!(stderr.contains("not an open stage"), "{stderr}");
    let stderr = env
        .run(&[
            "deal",
            "new",
            "acme-corp",
            "--title",
            "X",
            "--line",
            "toner:-2",
        ])
        .fails(2);
    assert!(stderr.contains("must be more than 0"), "{stderr}");
    let stderr = env
        .run(&[
            "deal",
            "new",
            "acme-corp",
            "--title",
            "X",
            "--line",
            "ink:2",
        ])
        .fails(3);
    assert!(stderr.contains("no product `ink`"), "{stderr}");
}

#[test]
fn a_deal_in_another_currency_is_kept_apart_then_won_at_the_settings_rate() {
    let env = TestEnv::with_basics();
    let id = env.created(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Fleet",
        "--amount",
        "1000",
    ]);
    env.run(&["deal", "set", &id, "currency=USD"]).ok();
    // Never summed with euros: rows and lists of its own.
    let forecast: serde_json::Value = env.json(&["report", "forecast"]);
    assert_eq!(forecast[0]["currency"], "USD", "{forecast}");
    assert_eq!(forecast[0]["best_case"], 1000);
    let funnel: serde_json::Value = env.json(&["report", "funnel"]);
    assert_eq!(funnel["stages"][0]["open_deals"], 1);
    assert_eq!(funnel["stages"][0]["open_amount"], 0);
    assert_eq!(
        funnel["other_currencies"],
        serde_json::json!([{"currency": "USD", "open_deals": 1, "open_amount": 1000}])
    );
    let head = env.head();
    let stderr = env.run(&["deal", "win", &id]).fails(1);
    assert!(
        stderr.contains("relate.yaml gives no exchange rate for USD"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: add `exchange_rates: {USD: RATE}`"),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    // With a rate, converted, and the heading says at what rate.
    let settings = env.read("relate.yaml");
    env.write(
        "relate.yaml",
        &settings.replace(
            "currency: EUR\n",
            "currency: EUR\nexchange_rates:\n  USD: -1\n",
        ),
    );
    let stderr = env.run(&["report", "forecast"]).fails(4);
    assert!(
        stderr.contains("exchange_rates: `USD` must be worth more than 0 and at most 1000000 EUR"),
        "{stderr}"
    );
    env.write(
        "relate.yaml",
        &settings.replace(
            "currency: EUR\n",
            "currency: EUR\nexchange_rates:\n  USD: 0.92\n",
        ),
    );
    env.git(&["commit", "-qam", "rates"]);
    let table = env
        .run(&["report", "forecast", "--format", "markdown"])
        .ok();
    assert!(table.contains("converted: 1 USD = 0.92"), "{table}");
    assert!(table.contains("920.00"), "{table}");
    env.run(&["deal", "win", &id]).ok();
    let order = (env.files().into_iter())
        .find(|f| f.starts_with("orders/") && f.ends_with(".yaml"))
        .expect("the won deal's order");
    assert!(
        env.read(&order).contains("total: 920\n"),
        "{}",
        env.read(&order)
    );
}
