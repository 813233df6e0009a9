//! `report dashboard`: its figures are those of the reports they come from,
//! for the same day; --owner picks the agenda; Markdown keeps the tables.

use serde_json::Value;
use std::path::PathBuf;

use crate::common::TestEnv;

fn json(env: &TestEnv, report: &[&str]) -> Value {
    let store = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sample-data");
    let base = [
        "--store",
        store.to_str().unwrap(),
        "--format",
        "json",
        "report",
    ];
    let args = [&base[..], report, &["--as-of", "2026-11-20"]].concat();
    serde_json::from_str(&env.run(&args).ok()).unwrap()
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("a number: {value}"))
}

fn sum(rows: &Value, field: &str) -> f64 {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| number(&r[field]))
        .sum()
}

#[test]
fn the_figures_are_those_of_the_reports_they_come_from() {
    let env = TestEnv::empty();
    let page = json(&env, &["dashboard"]);
    let figures = &page["figures"];
    assert_eq!(page["currency"], "EUR");

    let monthly = json(&env, &["revenue"]);
    let periods = monthly["total"]["periods"].as_array().unwrap();
    let this_month = periods.last().unwrap();
    assert_eq!(this_month["period_start"], "2026-11-01");
    assert_eq!(figures["revenue_month"]["current"], this_month["revenue"]);
    let change = number(&figures["revenue_month"]["change"]);
    assert!((change - number(&this_month["change_year"])).abs() < 1e-9);
    let yearly = json(&env, &["revenue", "--period", "year"]);
    let this_year = yearly["total"]["periods"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(figures["revenue_year"]["current"], this_year["revenue"]);

    let forecast = json(&env, &["forecast"]);
    assert_eq!(number(&figures["open_deals"]), sum(&forecast, "deals"));
    assert!((number(&figures["open_pipeline"]) - sum(&forecast, "best_case")).abs() < 0.005);
    assert!((number(&figures["weighted_forecast"]) - sum(&forecast, "weighted")).abs() < 0.005);
    let funnel = json(&env, &["funnel", "--since", "2025-11-20"]);
    assert_eq!(figures["win_rate"], funnel["win_rate"]);
    let loyalty = json(&env, &["loyalty"]);
    assert_eq!(figures["at_risk_customers"], loyalty["summary"]["at_risk"]);
    let service = json(&env, &["service"]);
    assert_eq!(
        number(&figures["open_tickets"]),
        sum(&service["open"], "open")
    );
    let pending = (service["breaches"].as_array().unwrap().iter())
        .filter(|b| b["met"].is_null())
        .count();
    assert_eq!(number(&figures["sla_breaches"]), pending as f64);
    assert_eq!(page["recent_contacts"].as_array().unwrap().len(), 10);
}

#[test]
fn owner_picks_the_agenda_and_markdown_keeps_the_tables_without_charts() {
    let env = TestEnv::empty();
    let team = json(&env, &["dashboard"]);
    let bob = json(&env, &["dashboard", "--owner", "bob"]);
    let owners = |page: &Value| -> Vec<String> {
        let items = page["agenda"].as_array().unwrap();
        items.iter().map(|i| i["owner"].to_string()).collect()
    };
    assert!(owners(&team).iter().any(|o| o != "\"bob\""));
    assert!(!owners(&bob).is_empty());
    assert!(
        owners(&bob).iter().all(|o| o == "\"bob\""),
        "{:?}",
        owners(&bob)
    );
    assert_eq!(bob["owner"], "bob");
    assert_eq!(
        bob["figures"], team["figures"],
        "the figures are the team's"
    );

    let store = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sample-data");
    let store = store.to_str().unwrap();
    let markdown = env
        .run(&[
            "--store",
            store,
            "--format",
            "markdown",
            "report",
            "dashboard",
            "--owner",
            "bob",
            "--as-of",
            "2026-11-20",
        ])
        .ok();
    assert!(
        markdown.starts_with(
            "# Dashboard for bob\n\nAs of 2026-11-20 · amounts in EUR\n\n## Figures (EUR)\n\n"
        ),
        "{markdown}"
    );
    for title in [
        "## Agenda of bob",
        "## Latest contacts",
        "## Revenue per month (EUR)",
        "## Monthly cohort retention",
        "## Top customers by revenue",
    ] {
        assert!(markdown.contains(title), "{title} in {markdown}");
    }
    assert!(!markdown.contains("<svg"));

    let stderr = env
        .run(&["--store", store, "report", "dashboard", "--owner", "bobby"])
        .fails(2);
    assert!(stderr.contains("unknown owner `bobby`"), "{stderr}");
    assert!(
        stderr.contains("the owners in relate.yaml are: alice, bob"),
        "{stderr}"
    );
}
