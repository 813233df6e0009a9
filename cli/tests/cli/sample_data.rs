//! The bundled sample store: valid, and as rich as the README promises.

use std::path::PathBuf;

use crate::common::TestEnv;

fn sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../sample-data")
        .display()
        .to_string()
}

fn count(env: &TestEnv, args: &[&str]) -> usize {
    let json = env
        .run(&[&["--store", &sample()], args, &["--format", "json"]].concat())
        .ok();
    serde_json::from_str::<Vec<serde_json::Value>>(&json)
        .unwrap()
        .len()
}

#[test]
fn sample_data_passes_check_silently() {
    let env = TestEnv::empty();
    let run = env.run(&["--store", &sample(), "check"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn sample_data_has_what_the_readme_promises() {
    let env = TestEnv::empty();
    assert!((35..=60).contains(&count(&env, &["customer", "list"])));
    assert!(count(&env, &["order", "list"]) >= 300);
    assert!(count(&env, &["deal", "list"]) >= 40);
    assert_eq!(count(&env, &["product", "list"]), 20);
    for stage in [
        "qualification",
        "needs_analysis",
        "proposal",
        "negotiation",
        "won",
        "lost",
    ] {
        assert!(
            count(&env, &["deal", "list", "--stage", stage]) > 0,
            "no deal in {stage}"
        );
    }
}

#[test]
fn sample_data_has_tickets_assets_and_campaigns_that_every_command_reads() {
    let env = TestEnv::empty();
    assert_eq!(count(&env, &["ticket", "list"]), 30);
    assert!(count(&env, &["ticket", "list", "--open"]) > 0);
    assert!(count(&env, &["asset", "list"]) >= 15);
    assert_eq!(count(&env, &["campaign", "list"]), 2);
    let store = sample();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = env
            .run(&[&["--store", &store, "--format", "json"], args].concat())
            .ok();
        serde_json::from_str(&out).unwrap()
    };
    assert_eq!(json(&["report", "service"])["summary"]["tickets"], 30);
    let campaign = json(&["report", "campaign", "autumn-printer-offer"]);
    assert!(campaign["members"].as_u64().unwrap() > 0, "{campaign}");
    assert!(campaign["contacted"] == campaign["members"], "{campaign}");
    let assets = json(&["report", "assets", "--days", "60"]);
    for section in ["maintenance", "warranties", "upgrades"] {
        assert!(
            !assets[section].as_array().unwrap().is_empty(),
            "{section}: {assets}"
        );
    }
    assert!(
        !json(&["agenda", "--days", "7"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    let offers = json(&["recommend", "quartz-retail-s-l"]);
    assert!(
        offers
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["basis"] == "rule"),
        "{offers}"
    );
    // Its installed laptops and monitor come back only as an upgrade, never as
    // a new purchase.
    let offers = json(&["recommend", "provence-digital-sas", "--as-of", "2026-11-20"]);
    let products: Vec<(&str, &str)> = offers
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["product"].as_str().unwrap(), o["basis"].as_str().unwrap()))
        .collect();
    assert_eq!(products[0], ("laptop-pro-14", "upgrade"), "{offers}");
    assert!(
        products
            .iter()
            .all(|(p, _)| !["laptop-air-13", "monitor-27"].contains(p)),
        "{offers}"
    );
}
