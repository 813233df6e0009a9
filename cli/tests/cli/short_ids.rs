use crate::common::TestEnv;

#[test]
fn an_unambiguous_start_of_an_id_names_the_record() {
    let env = TestEnv::with_basics();
    let order = env.created(&[
        "order",
        "add",
        "ana-lima",
        "--line",
        "toner:3",
        "--at",
        "2026-11-02",
    ]);
    let shown: serde_json::Value = env.json(&["customer", "show", "ana-l"]);
    assert_eq!(shown["customer"]["id"], "ana-lima");
    let shown: serde_json::Value = env.json(&["order", "show", &order[..10]]);
    assert_eq!(shown["id"].as_str(), Some(order.as_str()), "{shown}");
    env.run(&["customer", "set", "acme", "region=EU"]).ok();
    assert_eq!(env.yaml("customers/acme-corp.yaml")["region"], "EU");
    assert_eq!(env.commits()[0], "customer set: acme-corp region");
}

#[test]
fn an_ambiguous_or_too_short_start_is_refused() {
    let env = TestEnv::with_basics();
    env.run(&["customer", "add", "Acme Labs"]).ok();
    let head = env.head();
    let err = env.run(&["customer", "set", "acme", "region=EU"]).fails(2);
    assert!(
        err.contains("`acme` is the start of 2 customer ids: acme-corp, acme-labs"),
        "{err}"
    );
    assert!(err.contains("hint: give more of the id"), "{err}");
    let err = env.run(&["customer", "show", "acm"]).fails(3);
    assert!(err.contains("no customer `acm`"), "{err}");
    // Merging needs full ids.
    let err = env
        .run(&["customer", "merge", "acme-corp", "acme-l"])
        .fails(3);
    assert!(err.contains("no customer `acme-l`"), "{err}");
    assert_eq!(env.head(), head);
    assert_eq!(env.git_status(), "");
}
