//! `relate agenda` on a store whose due items are known in advance; the clock
//! is 2026-11-22T10:15:00Z and the default settings apply (idle limits:
//! qualification 14 days; SLA high: first response within 4 hours; at_risk
//! lookback 30 days).

use serde::Deserialize;

use crate::common::TestEnv;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Item {
    #[serde(deserialize_with = "crate::common::present")]
    owner: Option<String>,
    due: String,
    kind: String,
    customer: String,
    record: String,
    what: String,
    command: String,
}

/// The agenda's items as (owner, due, kind, record).
fn items(env: &TestEnv, args: &[&str]) -> Vec<(String, String, String, String)> {
    let items: Vec<Item> = env.json(&[&["agenda"], args].concat());
    items
        .into_iter()
        .map(|i| (i.owner.unwrap_or_default(), i.due, i.kind, i.record))
        .collect()
}

fn row(owner: &str, due: &str, kind: &str, record: &str) -> (String, String, String, String) {
    (owner.into(), due.into(), kind.into(), record.into())
}

/// Owners alice (acme-corp) and bob (ana-lima, and five buyers a, b, c, d, x).
/// What falls due:
/// - follow-up of the call with acme-corp on 11-18, due 11-21 (alice);
/// - ana-lima: a follow-up due 11-20 set on 11-10 but fulfilled by the contact
///   of 11-15; another set on 11-16, due 11-25 (bob);
/// - deal acme-corp-website, qualification since 11-01: idle from 11-16 (alice);
/// - deal ana-lima-support, created 11-15, close by 11-20: overdue since 11-20,
///   idle from 11-30 (bob);
/// - ticket ana-lima-broken-screen, high, opened today 07:00: first response due
///   11:00 today (bob);
/// - acme-corp's printer, installed 2026-01-01, every 300 days: due 10-28
///   (09-30 is 272 days on), for the customer's owner alice;
/// - x slipped into at_risk (bob). The buyers' orders: a 06-01, 07-01, 08-01,
///   09-01, 11-20; b 07-01, 08-01, 09-01, 11-15; c 11-10; d 07-01, 08-01; x
///   08-01, 08-15, 10-20. Today, recency a 2 days, b 7, c 12, x 33, d 113 ->
///   r 5, 4, 3, 2, 1 (five buyers: each score is the rank); orders c 1, d 2,
///   x 3, b 4, a 5 -> f 1 to 5 in that order: x is (2, 3), at_risk. On 10-23,
///   x's order of 10-20 was the most recent of the four buyers then (r 5) and
///   its 3 orders ranked third of four (d 2, b 3, x 3 by id, a 4 -> f 4):
///   champions. Nobody else is at_risk today.
fn store() -> (TestEnv, String, String) {
    let env = TestEnv::with_basics();
    let settings = env.read("relate.yaml").replace(
        "owners: []",
        "owners:\n- id: alice\n  name: Alice\n- id: bob\n  name: Bob",
    );
    env.write("relate.yaml", &settings);
    env.run(&["customer", "set", "acme-corp", "owner=alice"])
        .ok();
    env.run(&["customer", "set", "ana-lima", "owner=bob"]).ok();
    let log = |customer: &str, owner: &str, at: &str, follow_up: Option<&str>| -> String {
        let mut args = vec![
            "log",
            customer,
            "--channel",
            "phone",
            "--summary",
            "Renewal call",
            "--owner",
            owner,
            "--at",
            at,
        ];
        if let Some(date) = follow_up {
            args.extend(["--follow-up", date]);
        }
        env.created(&args)
    };
    let acme_call = log(
        "acme-corp",
        "alice",
        "2026-11-18T09:00:00Z",
        Some("2026-11-21"),
    );
    log(
        "ana-lima",
        "bob",
        "2026-11-10T09:00:00Z",
        Some("2026-11-20"),
    );
    log("ana-lima", "bob", "2026-11-15T09:00:00Z", None);
    let ana_call = log(
        "ana-lima",
        "bob",
        "2026-11-16T09:00:00Z",
        Some("2026-11-25"),
    );
    env.created(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Website",
        "--owner",
        "alice",
        "--at",
        "2026-11-01",
    ]);
    env.created(&[
        "deal",
        "new",
        "ana-lima",
        "--title",
        "Support",
        "--owner",
        "bob",
        "--at",
        "2026-11-15",
        "--close-by",
        "2026-11-20",
    ]);
    env.created(&[
        "ticket",
        "open",
        "ana-lima",
        "--subject",
        "Broken screen",
        "--priority",
        "high",
        "--owner",
        "bob",
        "--at",
        "2026-11-22T07:00:00Z",
    ]);
    env.created(&[
        "asset",
        "add",
        "acme-corp",
        "--product",
        "printer",
        "--installed",
        "2026-01-01",
        "--service-every",
        "300",
    ]);
    let orders: [(&str, &[&str]); 5] = [
        ("a", &["06-01", "07-01", "08-01", "09-01", "11-20"]),
        ("b", &["07-01", "08-01", "09-01", "11-15"]),
        ("c", &["11-10"]),
        ("d", &["07-01", "08-01"]),
        ("x", &["08-01", "08-15", "10-20"]),
    ];
    for (customer, dates) in orders {
        env.created(&["customer", "add", customer, "--owner", "bob"]);
        for date in dates {
            env.created(&[
                "order",
                "add",
                customer,
                "--total",
                "10",
                "--at",
                &format!("2026-{date}"),
            ]);
        }
    }
    env.run(&["check"]).ok();
    (env, acme_call, ana_call)
}

#[test]
fn the_agenda_lists_what_falls_due_per_owner() {
    let (env, acme_call, ana_call) = store();
    let today = [
        row("alice", "2026-10-28", "maintenance", "acme-corp-printer"),
        row("alice", "2026-11-16", "deal_idle", "acme-corp-website"),
        row("alice", "2026-11-21", "follow_up", &acme_call),
        row("bob", "2026-11-20", "deal_overdue", "ana-lima-support"),
        row("bob", "2026-11-22", "ticket_sla", "ana-lima-broken-screen"),
        row("bob", "2026-11-22", "at_risk", "x"),
    ];
    assert_eq!(items(&env, &[]), today);
    // Three days ahead (to 11-25): bob's follow-up of 11-25 joins.
    let mut ahead = today.to_vec();
    ahead.push(row("bob", "2026-11-25", "follow_up", &ana_call));
    assert_eq!(items(&env, &["--days", "3"]), ahead);
    // Eight days ahead (to 11-30): the Support deal turns idle on 11-30.
    assert_eq!(
        items(&env, &["--days", "8"]).last().unwrap(),
        &row("bob", "2026-11-30", "deal_idle", "ana-lima-support")
    );
    assert_eq!(items(&env, &["--owner", "alice"]), today[..3]);

    let all: Vec<Item> = env.json(&["agenda"]);
    assert_eq!(
        all[2],
        Item {
            owner: Some("alice".into()),
            due: "2026-11-21".into(),
            kind: "follow_up".into(),
            customer: "acme-corp".into(),
            record: acme_call.clone(),
            what: "follow up yesterday on \"Renewal call\" (2026-11-18)".into(),
            command: "relate log acme-corp --channel phone --summary 'Follow-up: Renewal call'"
                .into(),
        }
    );
    assert_eq!(
        all[0].what,
        "maintenance of printer due 25 days ago (never serviced)"
    );
    assert_eq!(all[0].command, "relate asset service acme-corp-printer");
    assert_eq!(all[1].command, "relate deal advance acme-corp-website");
    assert_eq!(all[3].command, "relate deal win ana-lima-support");
    assert_eq!(
        all[4].what,
        "high ticket \"Broken screen\": first response due 2026-11-22T11:00:00Z"
    );
    assert_eq!(
        all[4].command,
        "relate log ana-lima --ticket ana-lima-broken-screen --channel email --summary 'Re: Broken screen'"
    );
    assert_eq!(
        all[5].what,
        "slipped into at_risk (on 2026-10-23: champions)"
    );
    assert_eq!(all[5].command, "relate recommend x");

    let markdown = env
        .run(&["agenda", "--owner", "bob", "--format", "markdown"])
        .ok();
    assert!(
        markdown.starts_with("| owner | due | kind | customer | record | what | command |\n"),
        "{markdown}"
    );
    assert!(markdown.contains("| bob | 2026-11-22 | at_risk | x | x | slipped into at_risk (on 2026-10-23: champions) | relate recommend x |\n"), "{markdown}");
}

#[test]
fn acting_on_an_item_takes_it_off_the_agenda() {
    let (env, _, _) = store();
    env.created(&[
        "log",
        "acme-corp",
        "--channel",
        "phone",
        "--summary",
        "Follow-up: Renewal call",
    ]);
    env.created(&["asset", "service", "acme-corp-printer"]);
    env.run(&["deal", "advance", "acme-corp-website"]).ok();
    assert!(items(&env, &["--owner", "alice"]).is_empty());
    // Answering the ticket leaves its resolution, due 11-23 07:00: tomorrow.
    env.created(&[
        "log",
        "ana-lima",
        "--ticket",
        "ana-lima-broken-screen",
        "--channel",
        "email",
        "--summary",
        "Re",
    ]);
    let bob = items(&env, &["--owner", "bob", "--days", "1"]);
    assert_eq!(bob[1], row("bob", "2026-11-22", "at_risk", "x"));
    assert_eq!(
        bob[2],
        row("bob", "2026-11-23", "ticket_sla", "ana-lima-broken-screen")
    );
}

#[test]
fn an_unknown_owner_is_a_usage_error() {
    let (env, _, _) = store();
    let stderr = env.run(&["agenda", "--owner", "carol"]).fails(2);
    assert!(stderr.contains("unknown owner `carol`"), "{stderr}");
    assert!(
        stderr.contains("hint: the owners in relate.yaml are: alice, bob"),
        "{stderr}"
    );
    let stderr = env.run(&["agenda", "--days", "soon"]).fails(2);
    assert!(stderr.contains("--days"), "{stderr}");
}

#[test]
fn an_empty_store_has_an_empty_agenda() {
    let env = TestEnv::new();
    assert_eq!(env.run(&["agenda", "--format", "json"]).ok(), "[]\n");
    assert_eq!(
        env.run(&["agenda", "--format", "csv"]).ok(),
        "owner,due,kind,customer,record,what,command\n"
    );
}

#[test]
fn the_agenda_of_a_past_day_is_written_to_a_file() {
    let (env, acme_call, _) = store();
    // At the end of 11-20: the follow-up due 11-21 is not due yet and today's
    // ticket not opened; the deal due to close on 11-20 is overdue.
    let past = items(&env, &["--as-of", "2026-11-20"]);
    assert!(
        past.contains(&row(
            "bob",
            "2026-11-20",
            "deal_overdue",
            "ana-lima-support"
        )),
        "{past:?}"
    );
    assert!(
        past.contains(&row(
            "alice",
            "2026-10-28",
            "maintenance",
            "acme-corp-printer"
        )),
        "{past:?}"
    );
    assert!(
        !past.iter().any(|(_, _, _, record)| *record == acme_call),
        "{past:?}"
    );
    assert!(
        !past.iter().any(|(_, _, kind, _)| kind == "ticket_sla"),
        "{past:?}"
    );
    // Today's date is the present, not the end of the day.
    assert_eq!(items(&env, &["--as-of", "2026-11-22"]), items(&env, &[]));

    let printed = env.run(&["agenda", "--format", "json"]).ok();
    let out = env.run(&["agenda", "--format", "json", "--output", "agenda.json"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert_eq!(
        std::fs::read_to_string(env.path().join("agenda.json")).unwrap(),
        printed
    );
}
