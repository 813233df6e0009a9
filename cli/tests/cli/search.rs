use serde::Deserialize;
use std::collections::BTreeMap;

use crate::common::TestEnv;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct FoundJson {
    query: String,
    hits: Vec<HitJson>,
    left_out: BTreeMap<String, usize>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct HitJson {
    kind: String,
    id: String,
    customer: Option<String>,
    rank: String,
    field: String,
    snippet: String,
}

/// Acme (from Utrecht) and Ana (elsewhere) each asked about invoices; a
/// ticket, a deal and a customer with accents.
fn store() -> (TestEnv, String, String) {
    let env = TestEnv::with_basics();
    env.run(&["customer", "set", "acme-corp", "region=Utrecht"])
        .ok();
    env.run(&[
        "customer",
        "add",
        "Jürgen Müller",
        "--phone",
        "+31 20 123 4567",
    ])
    .ok();
    let acme_call = env.created(&[
        "log",
        "acme-corp",
        "--channel",
        "phone",
        "--summary",
        "Asked about the March invoices",
    ]);
    let ana_call = env.created(&[
        "log",
        "ana-lima",
        "--channel",
        "email",
        "--summary",
        "Invoice copy sent",
    ]);
    env.run(&[
        "ticket",
        "open",
        "acme-corp",
        "--subject",
        "Printer jams on A3",
    ])
    .ok();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Printers for the Utrecht office",
    ])
    .ok();
    (env, acme_call, ana_call)
}

fn hits(env: &TestEnv, args: &[&str]) -> Vec<(String, String, String)> {
    let found: FoundJson = env.json(&[&["search"], args].concat());
    found
        .hits
        .into_iter()
        .map(|h| (h.kind, h.id, h.rank))
        .collect()
}

fn hit(kind: &str, id: &str, rank: &str) -> (String, String, String) {
    (kind.into(), id.into(), rank.into())
}

#[test]
fn every_word_in_the_record_or_its_customer() {
    let (env, acme_call, ana_call) = store();
    // "utrecht" is Acme's region, "invoice" the call's summary.
    assert_eq!(
        hits(&env, &["utrecht", "INVOICE"]),
        [hit("interaction", &acme_call, "text")]
    );
    // Each word alone: invoices of both, newest first.
    assert_eq!(
        hits(&env, &["invoice"]),
        [
            hit("interaction", &ana_call, "text"),
            hit("interaction", &acme_call, "text"),
        ]
    );
    // Accents folded; the deal's title holds both words.
    assert_eq!(
        hits(&env, &["muller"]),
        [hit("customer", "jurgen-muller", "name")]
    );
    assert_eq!(
        hits(&env, &["printers", "utrecht"]),
        [hit(
            "deal",
            "acme-corp-printers-for-the-utrecht-office",
            "name"
        )]
    );
}

#[test]
fn exact_keys_rank_first_and_json_says_where_it_matched() {
    let (env, _, _) = store();
    let found: FoundJson = env.json(&["search", "ANA@example.com"]);
    assert_eq!(found.query, "ANA@example.com");
    assert_eq!(found.hits.len(), 1);
    let first = &found.hits[0];
    assert_eq!(
        (first.kind.as_str(), first.id.as_str(), first.rank.as_str()),
        ("customer", "ana-lima", "exact")
    );
    assert_eq!(
        (first.field.as_str(), first.snippet.as_str()),
        ("key", "ana@example.com")
    );
    assert_eq!(first.customer, None);
    // A phone number written otherwise is the same key.
    assert_eq!(
        hits(&env, &["+31201234567"]),
        [hit("customer", "jurgen-muller", "exact")]
    );
    // Records of a customer carry it; the snippet is the matching text.
    let found: FoundJson = env.json(&["search", "jams"]);
    assert_eq!(found.hits[0].customer.as_deref(), Some("acme-corp"));
    assert_eq!(found.hits[0].field, "subject");
    assert_eq!(found.hits[0].snippet, "Printer jams on A3");
}

#[test]
fn kinds_and_limit_narrow_the_hits_and_say_what_was_left_out() {
    let (env, acme_call, _) = store();
    // "printer" is a product, a ticket and a deal.
    assert_eq!(
        hits(&env, &["printer", "--kind", "ticket,deal"]),
        [
            hit("deal", "acme-corp-printers-for-the-utrecht-office", "name"),
            hit("ticket", "acme-corp-printer-jams-on-a3", "name"),
        ]
    );
    let found: FoundJson = env.json(&["search", "invoice", "--limit", "1"]);
    assert_eq!(found.hits.len(), 1);
    assert_eq!(found.left_out, BTreeMap::from([("interaction".into(), 1)]));
    let run = env.run(&["search", "invoice", "--limit", "1"]);
    assert_eq!(run.stderr, "1 more interaction left out: raise --limit\n");
    let table = run.ok();
    assert_eq!(table.lines().count(), 2, "{table}");
    assert!(!table.contains(&acme_call), "{table}");
}

#[test]
fn no_hit_is_exit_1_and_writes_nothing() {
    let (env, _, _) = store();
    let head = env.head();
    let run = env.run(&["search", "nothing", "like", "this"]);
    assert_eq!(run.stdout, "");
    let stderr = run.fails(1);
    assert!(
        stderr.contains("no record holds every word of `nothing like this`"),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    assert!(!env.is_dirty());
    let stderr = env.run(&["search", "x", "--kind", "contact"]).fails(2);
    assert!(stderr.contains("contact"), "{stderr}");
}
