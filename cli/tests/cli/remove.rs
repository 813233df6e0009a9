//! `relate KIND remove` (refused while others refer, `--cascade`), `asset
//! retire`, and `relate undo` of a removal.

use crate::common::TestEnv;

/// The full message of the newest commit.
fn last_message(env: &TestEnv) -> String {
    env.git(&["log", "-1", "--format=%B"])
}

/// Ana Lima with two contacts (one about her deal), a deal and a ticket.
fn ana_with_records() -> TestEnv {
    let env = TestEnv::with_basics();
    env.run(&[
        "deal", "new", "ana-lima", "--title", "Toner", "--line", "toner:5",
    ])
    .ok();
    env.run(&["ticket", "open", "ana-lima", "--subject", "Invoice?"])
        .ok();
    env.run(&[
        "log",
        "ana-lima",
        "--channel",
        "phone",
        "--summary",
        "Hi",
        "--at",
        "2026-11-20T09:00:00Z",
    ])
    .ok();
    env.run(&[
        "log",
        "ana-lima",
        "--channel",
        "email",
        "--summary",
        "Quote",
        "--deal",
        "ana-lima-toner",
        "--at",
        "2026-11-21T09:00:00Z",
    ])
    .ok();
    env
}

#[test]
fn a_record_others_refer_to_is_not_removed() {
    let env = ana_with_records();
    let head = env.head();
    let stderr = env.run(&["customer", "remove", "ana-lima"]).fails(1);
    assert!(
        stderr.starts_with("error: customer `ana-lima` is referred to by "),
        "{stderr}"
    );
    for referrer in [
        "deal `ana-lima-toner`",
        "ticket `ana-lima-invoice`",
        "interaction `",
    ] {
        assert!(stderr.contains(referrer), "{referrer}: {stderr}");
    }
    assert!(
        stderr.contains(
            "hint: `relate customer remove ana-lima --cascade` removes them too; or `relate customer merge KEEP ana-lima` moves them to another customer"
        ),
        "{stderr}"
    );
    let stderr = env.run(&["deal", "remove", "ana-lima-toner"]).fails(1);
    assert!(
        stderr.contains("is referred to by interaction `"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: `relate deal remove ana-lima-toner --cascade` removes them too"),
        "{stderr}"
    );
    // Only the full id: no prefix, no near miss.
    let stderr = env.run(&["customer", "remove", "ana"]).fails(3);
    assert!(stderr.contains("no customer `ana`"), "{stderr}");
    assert_eq!(env.head(), head);
    assert_eq!(env.git_status(), "");
}

#[test]
fn cascade_removes_the_dependents_in_one_commit_and_undo_brings_them_back() {
    let env = ana_with_records();
    let before = env.files();
    let out = env
        .run(&[
            "customer",
            "remove",
            "ana-lima",
            "--cascade",
            "--format",
            "csv",
        ])
        .ok();
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows[0], "kind,id,file,change");
    assert_eq!(rows[1], "customer,ana-lima,customers/ana-lima.yaml,removed");
    assert_eq!(rows.len(), 6, "{out}");
    assert!(rows.contains(&"deal,ana-lima-toner,deals/ana-lima-toner.yaml,removed"));
    assert!(rows.contains(&"ticket,ana-lima-invoice,tickets/ana-lima-invoice.yaml,removed"));
    let removed: Vec<String> = (before.iter())
        .filter(|f| !env.files().contains(f))
        .cloned()
        .collect();
    assert_eq!(removed.len(), 5, "{removed:?}");
    assert_eq!(
        env.commits()[0],
        "customer remove: ana-lima (+4 dependents)"
    );
    assert_eq!(env.last_commit_files(), removed);
    let message = last_message(&env);
    for file in &removed {
        assert!(
            message.contains(&format!("- {file}\n")),
            "{file}: {message}"
        );
    }
    assert_eq!(env.git_status(), "");
    env.run(&["undo"]).ok();
    assert_eq!(env.files(), before);
    assert_eq!(
        env.commits()[0],
        "undo: customer remove: ana-lima (+4 dependents)"
    );
    env.run(&["check"]).ok();
}

#[test]
fn orders_are_never_removed_by_a_cascade() {
    let env = TestEnv::with_basics();
    let order = env.created(&["order", "add", "acme-corp", "--line", "toner:3"]);
    let head = env.head();
    for args in [
        ["customer", "remove", "acme-corp", "--cascade"],
        ["product", "remove", "toner", "--cascade"],
    ] {
        let stderr = env.run(&args).fails(1);
        assert!(
            stderr.contains(&format!("is referred to by order `{order}`")),
            "{stderr}"
        );
        assert!(
            stderr.contains("hint: orders are never removed, not even by --cascade"),
            "{stderr}"
        );
    }
    let stderr = env.run(&["customer", "remove", "acme-corp"]).fails(1);
    assert!(
        stderr.contains("relate customer merge KEEP acme-corp"),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    // The order itself can go: nothing refers to it.
    env.run(&["order", "remove", &order]).ok();
    assert_eq!(env.commits()[0], format!("order remove: {order}"));
    assert_eq!(env.last_commit_files().len(), 1);
    env.run(&["product", "remove", "toner"]).ok();
    assert_eq!(env.last_commit_files(), ["products/toner.yaml"]);
}

#[test]
fn cascade_takes_a_customer_out_of_campaign_members_and_successors_are_unset() {
    let env = TestEnv::with_basics();
    env.plan_autumn_campaign("kind = \"person\"");
    env.run(&["campaign", "launch", "autumn"]).ok();
    let stderr = env.run(&["customer", "remove", "ana-lima"]).fails(1);
    assert!(
        stderr.contains("referred to by campaign `autumn`"),
        "{stderr}"
    );
    let out = env
        .run(&[
            "customer",
            "remove",
            "ana-lima",
            "--cascade",
            "--format",
            "csv",
        ])
        .ok();
    assert!(
        out.contains("campaign,autumn,campaigns/autumn.yaml,rewritten"),
        "{out}"
    );
    assert!(env.yaml("campaigns/autumn.yaml")["members"].is_null());
    assert_eq!(
        env.last_commit_files(),
        ["campaigns/autumn.yaml", "customers/ana-lima.yaml"]
    );
    env.run(&["product", "set", "toner", "successor=printer"])
        .ok();
    env.run(&["product", "remove", "printer", "--cascade"]).ok();
    assert!(env.yaml("products/toner.yaml")["successor"].is_null());
    env.run(&["check"]).ok();
}

#[test]
fn contacts_are_shown_moved_and_removed() {
    let env = TestEnv::with_basics();
    let ticket = env.created(&["ticket", "open", "ana-lima", "--subject", "Invoice?"]);
    let id = env.created(&[
        "log",
        "ana-lima",
        "--channel",
        "phone",
        "--summary",
        "Called back",
        "--ticket",
        &ticket,
        "--at",
        "2026-11-20T09:00:00Z",
    ]);
    let shown: serde_json::Value = serde_json::from_str(
        &env.run(&["interaction", "show", &id, "--format", "json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(
        (shown["customer"].as_str(), shown["summary"].as_str()),
        (Some("ana-lima"), Some("Called back"))
    );
    let file = format!("interactions/2026/11/{id}.yaml");
    let head = env.head();
    let stderr = env
        .run(&["interaction", "set", &id, "customer=acme"])
        .fails(3);
    assert!(stderr.contains("no customer `acme`"), "{stderr}");
    assert!(stderr.contains("did you mean `acme-corp`?"), "{stderr}");
    let stderr = env.run(&["ticket", "remove", &ticket]).fails(1);
    assert!(
        stderr.contains(&format!("referred to by interaction `{id}`")),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    // Its ticket is Ana's: it cannot follow the contact to Acme.
    let stderr = env
        .run(&["interaction", "set", &id, "customer=acme-corp"])
        .fails(2);
    assert!(
        stderr.contains(&format!(
            "ticket `{ticket}` belongs to `ana-lima`, not `acme-corp`"
        )),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    env.run(&["interaction", "set", &id, "customer=acme-corp", "ticket="])
        .ok();
    assert_eq!(env.yaml(&file)["customer"], "acme-corp");
    assert_eq!(
        env.commits()[0],
        format!("interaction set: {id} customer, ticket")
    );
    env.run(&["interaction", "remove", &id]).ok();
    assert!(!env.files().contains(&file));
    assert_eq!(env.commits()[0], format!("interaction remove: {id}"));
    assert_eq!(env.last_commit_files(), [file]);
    env.run(&["ticket", "remove", &ticket]).ok();
    let stderr = env.run(&["interaction", "remove", &id]).fails(3);
    assert!(
        stderr.contains(&format!("no interaction `{id}`")),
        "{stderr}"
    );
}

#[test]
fn a_retired_asset_keeps_its_file_and_is_due_for_nothing() {
    let env = TestEnv::with_basics();
    env.run(&[
        "asset",
        "add",
        "acme-corp",
        "--product",
        "printer",
        "--id",
        "lp",
        "--installed",
        "2026-01-01",
        "--service-every",
        "30",
    ])
    .ok();
    let ticket = env.created(&[
        "ticket",
        "open",
        "acme-corp",
        "--subject",
        "Jam",
        "--asset",
        "lp",
    ]);
    let due = env.run(&["report", "assets", "--format", "csv"]).ok();
    assert!(due.contains("lp"), "{due}");
    let stderr = env
        .run(&["asset", "retire", "lp", "--at", "2026-11-01"])
        .fails(0);
    assert_eq!(stderr, "Retired lp on 2026-11-01.\n");
    assert_eq!(env.yaml("assets/lp.yaml")["retired"], "2026-11-01");
    assert_eq!(env.commits()[0], "asset retire: lp (2026-11-01)");
    assert_eq!(env.last_commit_files(), ["assets/lp.yaml"]);
    let due = env.run(&["report", "assets", "--format", "csv"]).ok();
    assert!(!due.contains("lp"), "{due}");
    let agenda = env.run(&["agenda", "--format", "csv"]).ok();
    assert!(!agenda.contains("maintenance of lp"), "{agenda}");
    let head = env.head();
    let stderr = env.run(&["asset", "retire", "lp"]).fails(1);
    assert!(
        stderr.contains("asset `lp` was retired on 2026-11-01"),
        "{stderr}"
    );
    let stderr = env.run(&["asset", "remove", "lp"]).fails(1);
    assert!(
        stderr.contains(&format!("referred to by ticket `{ticket}`")),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    env.run(&["asset", "remove", "lp", "--cascade"]).ok();
    assert_eq!(env.commits()[0], "asset remove: lp (+1 dependents)");
    assert_eq!(
        env.last_commit_files(),
        [
            "assets/lp.yaml".to_string(),
            format!("tickets/{ticket}.yaml")
        ]
    );
}
