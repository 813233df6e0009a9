//! `relate KIND set` for deals, products, orders, tickets, assets and campaigns.

use crate::common::TestEnv;

/// A store with a deal, an order, a ticket, an asset and a planned campaign.
fn store_with_records() -> TestEnv {
    let env = TestEnv::with_basics();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Refresh",
        "--line",
        "printer:2",
    ])
    .ok();
    env.run(&[
        "order",
        "add",
        "acme-corp",
        "--line",
        "toner:3",
        "--at",
        "2026-10-05",
    ])
    .ok();
    env.run(&["ticket", "open", "acme-corp", "--subject", "Printer jams"])
        .ok();
    env.run(&[
        "asset",
        "add",
        "acme-corp",
        "--product",
        "printer",
        "--id",
        "acme-printer",
    ])
    .ok();
    env.plan_autumn_campaign("kind = \"organization\"");
    env
}

/// Asserts that the failed command left files, index and HEAD as they were.
#[track_caller]
fn nothing_written(env: &TestEnv, head: &str) {
    assert_eq!(env.head(), head);
    assert_eq!(env.git_status(), "");
}

#[test]
fn deal_set_changes_fields_in_one_commit_and_keeps_the_history() {
    let env = store_with_records();
    let before = env.yaml("deals/acme-corp-refresh.yaml");
    let stderr = env
        .run(&[
            "deal",
            "set",
            "acme-corp-refresh",
            "amount=900",
            "expected_close=2027-01-31",
            "title=Printer refresh",
        ])
        .fails(0);
    assert_eq!(stderr, "Updated deal acme-corp-refresh.\n");
    assert_eq!(
        env.commits()[0],
        "deal set: acme-corp-refresh amount, expected_close, title"
    );
    assert_eq!(env.last_commit_files(), ["deals/acme-corp-refresh.yaml"]);
    let after = env.yaml("deals/acme-corp-refresh.yaml");
    assert_eq!(after["amount"], 900);
    assert_eq!(after["expected_close"], "2027-01-31");
    assert_eq!(after["title"], "Printer refresh");
    assert_eq!(after["history"], before["history"]);
    assert_eq!(after["stage"], before["stage"]);
    // An empty value unsets an optional field.
    env.run(&["deal", "set", "acme-corp-refresh", "expected_close="])
        .ok();
    assert!(env.yaml("deals/acme-corp-refresh.yaml")["expected_close"].is_null());
    assert_eq!(env.git_status(), "");
}

#[test]
fn deal_set_refuses_what_the_pipeline_verbs_keep_and_bad_values() {
    let env = store_with_records();
    let head = env.head();
    for field in ["stage=won", "history=", "outcome=won", "closed=2026-11-22"] {
        let stderr = env
            .run(&["deal", "set", "acme-corp-refresh", field])
            .fails(1);
        assert!(stderr.contains("is not changed with `set`"), "{stderr}");
        assert!(
            stderr.contains(
                "hint: it is changed by `relate deal advance`, `relate deal win` or `relate deal lose`"
            ),
            "{stderr}"
        );
    }
    let stderr = env
        .run(&["deal", "set", "acme-corp-refresh", "amont=3"])
        .fails(2);
    assert!(
        stderr.contains("unknown deal field `amont`: did you mean `amount`?"),
        "{stderr}"
    );
    let stderr = env
        .run(&["deal", "set", "acme-corp-refresh", "expected_close=soon"])
        .fails(2);
    assert!(stderr.contains("`soon` is not a date"), "{stderr}");
    let stderr = env
        .run(&["deal", "set", "acme-corp-refresh", "amount=lots"])
        .fails(2);
    assert!(stderr.contains("`lots` is not a number"), "{stderr}");
    // The record is checked as a whole, as `check` does.
    let stderr = env
        .run(&["deal", "set", "acme-corp-refresh", "amount=-5"])
        .fails(2);
    assert!(stderr.contains("amount must not be negative"), "{stderr}");
    let stderr = env
        .run(&["deal", "set", "acme-corp-refresh", "id=other"])
        .fails(2);
    assert!(stderr.contains("cannot be changed"), "{stderr}");
    let stderr = env
        .run(&["deal", "set", "acme-corp-refresh", "customer=acme"])
        .fails(3);
    assert!(stderr.contains("no customer `acme`"), "{stderr}");
    assert!(stderr.contains("did you mean `acme-corp`?"), "{stderr}");
    let stderr = env.run(&["deal", "set", "nope", "amount=1"]).fails(3);
    assert!(stderr.contains("no deal `nope`"), "{stderr}");
    nothing_written(&env, &head);
}

#[test]
fn deal_set_moves_a_deal_to_another_customer_but_not_an_asset() {
    let env = store_with_records();
    let head = env.head();
    let stderr = env
        .run(&[
            "ticket",
            "set",
            "acme-corp-printer-jams",
            "customer=ana-lima",
            "asset=acme-printer",
        ])
        .fails(2);
    assert!(
        stderr.contains("asset `acme-printer` belongs to `acme-corp`, not `ana-lima`"),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    env.run(&["deal", "set", "acme-corp-refresh", "customer=ana-lima"])
        .ok();
    assert_eq!(
        env.yaml("deals/acme-corp-refresh.yaml")["customer"],
        "ana-lima"
    );
    assert_eq!(env.commits()[0], "deal set: acme-corp-refresh customer");
}

#[test]
fn product_set_changes_the_price_and_checks_the_product() {
    let env = store_with_records();
    env.run(&[
        "product",
        "set",
        "printer",
        "price=549",
        "category=hardware",
    ])
    .ok();
    assert_eq!(env.commits()[0], "product set: printer price, category");
    assert_eq!(env.last_commit_files(), ["products/printer.yaml"]);
    let product = env.yaml("products/printer.yaml");
    assert_eq!(
        (product["price"].as_u64(), product["category"].as_str()),
        (Some(549), Some("hardware"))
    );
    let head = env.head();
    let stderr = env.run(&["product", "set", "printer", "price="]).fails(2);
    assert!(stderr.contains("a product needs a price"), "{stderr}");
    let stderr = env
        .run(&["product", "set", "printer", "upgrade_after_years=two"])
        .fails(2);
    assert!(stderr.contains("`two` is not a whole number"), "{stderr}");
    let stderr = env
        .run(&["product", "set", "printer", "successor=printr"])
        .fails(3);
    assert!(stderr.contains("no product `printr`"), "{stderr}");
    let stderr = env
        .run(&["product", "set", "printer", "successor=printer"])
        .fails(2);
    assert!(stderr.contains("cannot be its own successor"), "{stderr}");
    nothing_written(&env, &head);
}

#[test]
fn order_set_of_another_month_moves_the_file() {
    let env = store_with_records();
    let id = env.created(&["order", "list", "--format", "csv"]);
    let id = id
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let old = format!("orders/2026/10/{id}.yaml");
    assert!(env.files().contains(&old));
    env.run(&[
        "order",
        "set",
        &id,
        "at=2026-09-30T16:00:00Z",
        "payment_method=invoice",
    ])
    .ok();
    let new = format!("orders/2026/09/{id}.yaml");
    assert_eq!(
        env.commits()[0],
        format!("order set: {id} at, payment_method")
    );
    assert_eq!(env.last_commit_files(), [new.clone(), old.clone()]);
    assert!(!env.files().contains(&old));
    assert_eq!(env.yaml(&new)["payment_method"], "invoice");
    // Still found by its id, in the new month.
    env.run(&["order", "show", &id]).ok();
    let head = env.head();
    let stderr = env.run(&["order", "set", &id, "lines=x"]).fails(1);
    assert!(
        stderr.contains("hint: it is changed by `relate edit`"),
        "{stderr}"
    );
    let stderr = env.run(&["order", "set", &id, "total=1"]).fails(2);
    assert!(stderr.contains("does not match its lines"), "{stderr}");
    nothing_written(&env, &head);
}

#[test]
fn ticket_set_changes_priority_but_not_status() {
    let env = store_with_records();
    env.run(&[
        "ticket",
        "set",
        "acme-corp-printer-jams",
        "priority=urgent",
        "asset=acme-printer",
    ])
    .ok();
    let ticket = env.yaml("tickets/acme-corp-printer-jams.yaml");
    assert_eq!(
        (ticket["priority"].as_str(), ticket["asset"].as_str()),
        (Some("urgent"), Some("acme-printer"))
    );
    assert_eq!(
        env.commits()[0],
        "ticket set: acme-corp-printer-jams priority, asset"
    );
    let head = env.head();
    let stderr = env
        .run(&["ticket", "set", "acme-corp-printer-jams", "status=resolved"])
        .fails(1);
    assert!(
        stderr.contains("hint: it is changed by `relate ticket update`, `relate ticket resolve` or `relate ticket reopen`"),
        "{stderr}"
    );
    let stderr = env
        .run(&[
            "ticket",
            "set",
            "acme-corp-printer-jams",
            "priority=whenever",
        ])
        .fails(2);
    assert!(
        stderr.contains("`whenever` is not a valid priority"),
        "{stderr}"
    );
    nothing_written(&env, &head);
}

#[test]
fn asset_set_checks_dates_against_each_other() {
    let env = store_with_records();
    env.run(&[
        "asset",
        "set",
        "acme-printer",
        "serial=LP-7",
        "installed=2025-03-01",
    ])
    .ok();
    assert_eq!(env.yaml("assets/acme-printer.yaml")["serial"], "LP-7");
    let head = env.head();
    let stderr = env
        .run(&["asset", "set", "acme-printer", "warranty_until=2024-01-01"])
        .fails(2);
    assert!(stderr.contains("is before the installation"), "{stderr}");
    nothing_written(&env, &head);
}

#[test]
fn campaign_set_before_launch_only() {
    let env = store_with_records();
    env.run(&[
        "campaign",
        "set",
        "autumn",
        "end=2026-12-31",
        "name=Autumn offer",
    ])
    .ok();
    assert_eq!(env.commits()[0], "campaign set: autumn end, name");
    assert_eq!(env.yaml("campaigns/autumn.yaml")["name"], "Autumn offer");
    let head = env.head();
    let stderr = env
        .run(&["campaign", "set", "autumn", "where=kind ="])
        .fails(2);
    assert!(stderr.contains("invalid filter"), "{stderr}");
    let stderr = env
        .run(&["campaign", "set", "autumn", "members=acme-corp"])
        .fails(1);
    assert!(stderr.contains("`relate campaign launch`"), "{stderr}");
    nothing_written(&env, &head);
    env.run(&["campaign", "launch", "autumn"]).ok();
    let head = env.head();
    let stderr = env
        .run(&["campaign", "set", "autumn", "end=2027-01-31"])
        .fails(1);
    assert!(
        stderr.contains("error: campaign `autumn` was launched on 2026-11-22"),
        "{stderr}"
    );
    nothing_written(&env, &head);
}
