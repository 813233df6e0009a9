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

#[test]
fn records_written_from_short_ids_name_the_full_ones() {
    let env = TestEnv::with_basics();
    let deal = env.created(&[
        "deal", "new", "acme", "--title", "Refresh", "--line", "tone:2",
    ]);
    assert_eq!(deal, "acme-corp-refresh");
    let written = env.yaml("deals/acme-corp-refresh.yaml");
    assert_eq!(written["customer"], "acme-corp");
    assert_eq!(written["lines"][0]["product"], "toner");
    let ticket = env.created(&[
        "ticket",
        "open",
        "ana-l",
        "--subject",
        "Jam",
        "--product",
        "prin",
    ]);
    let contact = env.created(&[
        "log",
        "acme",
        "--channel",
        "phone",
        "--summary",
        "x",
        "--deal",
        "acme-corp-ref",
    ]);
    let logged = env.yaml(&format!("interactions/2026/11/{contact}.yaml"));
    assert_eq!(
        (&logged["customer"], &logged["deal"]),
        (&"acme-corp".into(), &deal.as_str().into())
    );
    let reply = env.created(&[
        "log",
        "ana-l",
        "--channel",
        "email",
        "--summary",
        "y",
        "--ticket",
        &ticket[..8],
    ]);
    let logged = env.yaml(&format!("interactions/2026/11/{reply}.yaml"));
    assert_eq!(logged["ticket"], ticket.as_str());
    let order = env.created(&[
        "order",
        "add",
        "acme",
        "--line",
        "prin:1",
        "--deal",
        "acme-corp-r",
    ]);
    let written = env.yaml(&format!("orders/2026/11/{order}.yaml"));
    assert_eq!(written["deal"], deal.as_str());
    assert_eq!(written["lines"][0]["product"], "printer");
}
