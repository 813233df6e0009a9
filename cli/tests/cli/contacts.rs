//! `relate interaction list`: contacts as records of their own, and list
//! filters checked like the arguments of a write.

use crate::common::TestEnv;

#[derive(serde::Deserialize, Debug)]
struct Contact {
    id: String,
    customer: String,
    channel: String,
}

/// Three contacts: Acme by phone in October and by e-mail about a deal in
/// November, Ana in a campaign in November.
fn store_with_contacts() -> (TestEnv, [String; 3]) {
    let env = TestEnv::with_basics();
    env.run(&["customer", "set", "acme-corp", "region=EU"]).ok();
    env.run(&["deal", "new", "acme-corp", "--title", "Refresh"])
        .ok();
    env.plan_autumn_campaign("kind = \"person\"");
    let log = |args: &[&str]| env.created(&[&["log"], args].concat());
    let ids = [
        log(&[
            "acme-corp",
            "--channel",
            "phone",
            "--summary",
            "Call",
            "--at",
            "2026-10-05T09:00:00Z",
        ]),
        log(&[
            "acme-corp",
            "--channel",
            "email",
            "--summary",
            "Quote",
            "--deal",
            "acme-corp-refresh",
            "--at",
            "2026-11-10T09:00:00Z",
        ]),
        log(&[
            "ana-lima",
            "--channel",
            "email",
            "--summary",
            "Offer",
            "--campaign",
            "autumn",
            "--at",
            "2026-11-12T09:00:00Z",
        ]),
    ];
    (env, ids)
}

fn listed(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let contacts: Vec<Contact> = env.json(&[&["interaction", "list"], args].concat());
    contacts.into_iter().map(|c| c.id).collect()
}

#[test]
fn contacts_are_listed_newest_first_by_every_filter() {
    let (env, [call, quote, offer]) = store_with_contacts();
    assert_eq!(
        listed(&env, &[]),
        [offer.as_str(), quote.as_str(), call.as_str()]
    );
    assert_eq!(
        listed(&env, &["--customer", "acme-corp"]),
        [quote.as_str(), call.as_str()]
    );
    assert_eq!(
        listed(&env, &["--channel", "email"]),
        [offer.as_str(), quote.as_str()]
    );
    assert_eq!(
        listed(&env, &["--since", "2026-11-01"]),
        [offer.as_str(), quote.as_str()]
    );
    assert_eq!(listed(&env, &["--until", "2026-10-31"]), [call.as_str()]);
    assert_eq!(
        listed(&env, &["--since", "2026-11-11", "--until", "2026-11-12"]),
        [offer.as_str()]
    );
    assert_eq!(
        listed(&env, &["--deal", "acme-corp-refresh"]),
        [quote.as_str()]
    );
    assert_eq!(listed(&env, &["--campaign", "autumn"]), [offer.as_str()]);
    assert_eq!(
        listed(&env, &["--where", "region = \"EU\""]),
        [quote.as_str(), call.as_str()]
    );
    assert_eq!(listed(&env, &["--owner", "nobody"]), Vec::<String>::new());
    let contacts: Vec<Contact> = env.json(&["interaction", "list", "--customer", "ana-lima"]);
    assert_eq!(
        (contacts[0].customer.as_str(), contacts[0].channel.as_str()),
        ("ana-lima", "email")
    );
    let table = env.run(&["interaction", "list", "--format", "csv"]).ok();
    assert_eq!(
        table.lines().next(),
        Some("id,at,customer,channel,direction,owner,summary")
    );
    let shown = env.run(&["interaction", "show", quote.as_str()]).ok();
    assert!(shown.contains("Quote"), "{shown}");
}

#[test]
fn unknown_names_in_list_filters_are_errors_not_empty_lists() {
    let (env, _) = store_with_contacts();
    let head = env.head();
    let stderr = env
        .run(&["interaction", "list", "--customer", "acme"])
        .fails(3);
    assert!(
        stderr.contains("no customer `acme`") && stderr.contains("did you mean `acme-corp`?"),
        "{stderr}"
    );
    let stderr = env
        .run(&["interaction", "list", "--channel", "emial"])
        .fails(2);
    assert!(
        stderr.contains("unknown channel `emial`") && stderr.contains("did you mean `email`?"),
        "{stderr}"
    );
    let stderr = env.run(&["interaction", "list", "--deal", "nope"]).fails(3);
    assert!(stderr.contains("no deal `nope`"), "{stderr}");
    let stderr = env
        .run(&["interaction", "list", "--where", "region ="])
        .fails(2);
    assert!(stderr.contains("error:"), "{stderr}");
    let stderr = env.run(&["deal", "list", "--stage", "closing"]).fails(2);
    assert!(
        stderr.contains("error: unknown stage `closing`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: use one of qualification,"),
        "{stderr}"
    );
    let stderr = env.run(&["asset", "list", "--product", "printr"]).fails(3);
    assert!(stderr.contains("did you mean `printer`?"), "{stderr}");
    // Owners are checked once relate.yaml lists the team.
    env.run(&["customer", "list", "--owner", "zed"]).ok();
    let settings = env
        .read("relate.yaml")
        .replace("owners: []", "owners:\n- id: alice\n  name: Alice");
    env.write("relate.yaml", &settings);
    env.git(&["commit", "-qam", "team"]);
    let head_after = env.head();
    for command in ["customer", "deal", "ticket"] {
        let stderr = env.run(&[command, "list", "--owner", "alise"]).fails(2);
        assert!(
            stderr.contains("unknown owner `alise`") && stderr.contains("did you mean `alice`?"),
            "{command}: {stderr}"
        );
    }
    let stderr = env.run(&["interaction", "list", "--owner", "zed"]).fails(2);
    assert!(
        stderr.contains("unknown owner `zed`") && stderr.contains("use one of alice"),
        "{stderr}"
    );
    assert_ne!(head, head_after);
    assert_eq!(env.head(), head_after);
    assert_eq!(env.git_status(), "");
}

#[test]
fn every_list_sorts_by_a_field_and_is_limited() {
    let (env, [call, quote, offer]) = store_with_contacts();
    env.run(&["product", "add", "cable", "--name", "Cable", "--price", "5"])
        .ok();
    let skus = |args: &[&str]| -> Vec<String> {
        let out = env
            .run(&[&["product", "list", "--format", "csv"], args].concat())
            .ok();
        out.lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect()
    };
    // 5 < 19.90 < 499: numbers by value, not as text.
    assert_eq!(skus(&["--sort", "price"]), ["cable", "toner", "printer"]);
    assert_eq!(
        skus(&["--sort", "-price", "--limit", "2"]),
        ["printer", "toner"]
    );
    // Products without a cost come last, ascending or descending.
    assert_eq!(skus(&["--sort", "-cost"]), ["printer", "toner", "cable"]);
    assert_eq!(
        listed(&env, &["--sort", "at"]),
        [call.as_str(), quote.as_str(), offer.as_str()]
    );
    assert_eq!(listed(&env, &["--limit", "1"]), [offer.as_str()]);
    for command in ["customer", "deal", "order", "ticket", "asset", "campaign"] {
        env.run(&[command, "list", "--sort", "id", "--limit", "5"])
            .ok();
    }
    let stderr = env.run(&["product", "list", "--sort", "prise"]).fails(2);
    assert!(
        stderr.contains("error: cannot sort products by `prise`"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: did you mean `price`?"), "{stderr}");
    let stderr = env.run(&["deal", "list", "--sort", "zzz"]).fails(2);
    assert!(
        stderr.contains("hint: sort by one of id, external_id, customer"),
        "{stderr}"
    );
}
