//! The bundled sample store: valid, and as rich as the README promises.

use std::path::PathBuf;

use crate::common::TestEnv;

fn sample() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
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
