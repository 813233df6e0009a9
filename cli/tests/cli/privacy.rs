//! A person's rights through the CLI: everything held on them
//! (`customer export-person`) and erasure (`customer forget`) with the
//! suppression that keeps imports from bringing them back.

use serde_json::Value;

use crate::common::TestEnv;

/// The basics (Acme Corp and its contact Ana Lima) and Bob, another person;
/// Ana has each kind of record: a call, a deal, an order, a ticket, an
/// asset, consent and a campaign membership; Bob has an order and a call.
fn store() -> TestEnv {
    let env = TestEnv::with_basics();
    env.created(&[
        "customer",
        "add",
        "Bob Stone",
        "--email",
        "bob@example.com",
        "--phone",
        "+31 20 555 0101",
    ]);
    env.run(&[
        "customer",
        "set",
        "ana-lima",
        "region=EU",
        "phones=+31 20 123 4567",
    ])
    .ok();
    env.run(&["customer", "set", "bob-stone", "region=EU"]).ok();
    for customer in ["ana-lima", "bob-stone"] {
        env.run(&[
            "consent",
            customer,
            "grant",
            "--channel",
            "email",
            "--source",
            "form",
        ])
        .ok();
        env.created(&[
            "log",
            customer,
            "--channel",
            "phone",
            "--summary",
            &format!("Called {customer}"),
        ]);
        env.created(&[
            "order",
            "add",
            customer,
            "--line",
            "toner:3",
            "--at",
            "2026-11-02",
        ]);
    }
    env.created(&[
        "deal",
        "new",
        "ana-lima",
        "--title",
        "Printers for Ana",
        "--amount",
        "900",
    ]);
    env.created(&[
        "ticket",
        "open",
        "ana-lima",
        "--subject",
        "Ana's printer jams",
    ]);
    env.created(&[
        "asset",
        "add",
        "ana-lima",
        "--product",
        "printer",
        "--installed",
        "2026-01-10",
    ]);
    env.plan_autumn_campaign(r#"region = "EU""#);
    env.run(&["campaign", "launch", "autumn"]).ok();
    env
}

#[test]
fn export_person_holds_each_kind_of_their_records_and_nothing_of_another_person() {
    let env = store();
    let out = env.path().join("ana");
    let export = [
        "customer",
        "export-person",
        "ana-lima",
        "--output",
        out.to_str().unwrap(),
    ];
    let stdout = env.run(&export).ok();
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("person.json")).unwrap()).unwrap();
    assert_eq!(json["customer"]["id"], "ana-lima");
    assert_eq!(json["customer"]["consent"][0]["source"], "form");
    for kind in [
        "interactions",
        "deals",
        "orders",
        "tickets",
        "assets",
        "campaigns",
    ] {
        let records = json[kind].as_array().unwrap();
        assert_eq!(records.len(), 1, "{kind}: {records:?}");
    }
    assert_eq!(json["campaigns"][0]["campaign"], "autumn");
    assert_eq!(
        json["linked"][0],
        serde_json::json!({"id": "acme-corp", "name": "Acme Corp", "kind": "organization"})
    );
    assert!(
        json["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == "customers/ana-lima.yaml")
    );
    let everything = std::fs::read_to_string(out.join("person.json")).unwrap()
        + &std::fs::read_to_string(out.join("person.md")).unwrap();
    for other in ["bob", "Bob", "info@acme.example"] {
        assert!(
            !everything.contains(other),
            "`{other}` is another person's: {everything}"
        );
    }
    let summary = std::fs::read_to_string(out.join("person.md")).unwrap();
    assert!(
        summary.starts_with("# Everything held on Ana Lima (ana-lima)\n"),
        "{summary}"
    );
    // Nothing is written over.
    let stderr = env.run(&export).fails(1);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(
        env.git_status().is_empty(),
        "an export writes nothing into the store"
    );
}

#[test]
fn forget_erases_the_person_keeps_the_books_and_says_what_git_keeps() {
    let env = store();
    let revenue_before: Value = env.json(&["report", "revenue", "--by", "product"]);
    let ana_files: Vec<String> = env
        .files()
        .into_iter()
        .filter(|f| f.contains("ana-lima"))
        .collect();
    assert_eq!(ana_files.len(), 4, "{ana_files:?}");
    let run = env.run(&["customer", "forget", "ana-lima"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("git history of this store, and every teammate's clone, still hold"),
        "{}",
        run.stderr
    );
    let message = env.git(&["log", "-1", "--format=%B"]);
    assert!(message.starts_with("customer forget: erased-"), "{message}");
    for personal in ["ana", "Ana", "Lima", "example.com", "4567"] {
        assert!(
            !message.contains(personal),
            "the commit message names `{personal}`: {message}"
        );
    }
    let pseudonym = message
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("customer forget: ")
        .to_string();
    // What is only about her is gone; her order stays under the pseudonym.
    let files = env.files();
    assert!(!files.iter().any(|f| f.contains("ana-lima")), "{files:?}");
    let orders: Vec<String> = files
        .iter()
        .filter(|f| f.starts_with("orders/"))
        .map(|f| env.read(f))
        .collect();
    assert_eq!(
        orders
            .iter()
            .filter(|o| o.contains(&format!("customer: {pseudonym}\n")))
            .count(),
        1
    );
    let everything: String = files.iter().map(|f| env.read(f)).collect();
    for personal in ["ana-lima", "Ana Lima", "ana@example.com", "123 4567"] {
        assert!(
            !everything.contains(personal),
            "the files still hold `{personal}`"
        );
    }
    assert!(env.read("campaigns/autumn.yaml").contains("- bob-stone\n"));
    assert!(!env.read("customers/acme-corp.yaml").contains("ana"));
    // Store-wide and per-product revenue do not change; the store checks clean.
    let revenue_after: Value = env.json(&["report", "revenue", "--by", "product"]);
    assert_eq!(revenue_after, revenue_before);
    env.run(&["check"]).ok();
    let by_region = env.run(&["report", "revenue", "--by", "region"]).ok();
    assert!(by_region.contains("(erased)"), "{by_region}");
    // undo does not bring her back.
    let head = env.head();
    let stderr = env.run(&["undo"]).fails(1);
    assert!(stderr.contains("erased a person"), "{stderr}");
    assert_eq!(env.head(), head);
    // Nor does an import of her row, or a card with her phone number.
    env.write(
        "../again.csv",
        "name,email\nAna L.,ANA@example.com\nCid,cid@example.com\n",
    );
    let again = env.path().join("again.csv");
    let stderr = env
        .run(&["import", "customers", again.to_str().unwrap()])
        .stderr;
    assert!(
        stderr.contains("1 created, 0 updated; 1 row skipped: suppressed (erased person)"),
        "{stderr}"
    );
    assert!(!env.files().iter().any(|f| f.starts_with("customers/ana")));
    env.write(
        "../ana.vcf",
        "BEGIN:VCARD\nVERSION:3.0\nFN:A. Lima\nTEL:+31201234567\nEND:VCARD\n",
    );
    let card = env.path().join("ana.vcf");
    let stderr = env.run(&["import", "vcard", card.to_str().unwrap()]).stderr;
    assert!(
        stderr.contains("1 card skipped: suppressed (erased person)"),
        "{stderr}"
    );
}

#[test]
fn forget_takes_a_full_id_and_a_dry_run_writes_nothing() {
    let env = store();
    let (files, head) = (env.files(), env.head());
    let dry = env
        .run(&["customer", "forget", "ana-lima", "--dry-run"])
        .ok();
    assert!(
        dry.contains("order") && dry.contains("kept as erased-"),
        "{dry}"
    );
    env.run(&["customer", "forget", "nobody"]).fails(3);
    assert_eq!((env.files(), env.head()), (files, head));
}
