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

/// Everything the repository's object database holds, reachable or not.
fn every_object(env: &TestEnv) -> String {
    let output = env
        .git_command()
        .args(["cat-file", "--batch-all-objects", "--batch", "--unordered"])
        .output()
        .unwrap();
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The contents of every version of `rel` on the current branch, oldest first.
fn versions(env: &TestEnv, rel: &str) -> Vec<String> {
    let commits = env.git(&["log", "--reverse", "--format=%H", "--", rel]);
    (commits.lines())
        .map(|commit| {
            let out = env
                .git_command()
                .args(["show", &format!("{commit}:{rel}")])
                .output();
            String::from_utf8_lossy(&out.unwrap().stdout).into_owned()
        })
        .collect()
}

const ANA_DATA: [&str; 6] = [
    "ana-lima",
    "Ana Lima",
    "ana@example.com",
    "123 4567",
    "Printers for Ana",
    "printer jams",
];

#[test]
fn rewrite_history_leaves_the_person_in_no_commit_tag_stash_or_object() {
    let env = store();
    // Someone else whose name and address hold hers.
    env.created(&[
        "customer",
        "add",
        "Diana Lima",
        "--email",
        "diana@example.com",
    ]);
    env.git(&["tag", "-a", "v1", "-m", "Before the order of ana-lima"]);
    let bob = env.read("customers/bob-stone.yaml");
    env.write(
        "customers/bob-stone.yaml",
        &format!("{bob}# met ana-lima\n"),
    );
    env.git(&["stash"]);
    let revenue_before: Value = env.json(&["report", "revenue", "--by", "product"]);
    let bob_before = versions(&env, "customers/bob-stone.yaml");
    let stamps = |env: &TestEnv| env.git(&["log", "--format=%an %ae %ad"]);
    let stamps_before = stamps(&env);
    assert!(every_object(&env).contains("Ana Lima"));

    let out: Value = env.json(&[
        "customer",
        "forget",
        "ana-lima",
        "--rewrite-history",
        "--format",
        "json",
    ]);
    let pseudonym = out["pseudonym"].as_str().unwrap();
    assert!(
        out["history"]["commits_rewritten"].as_u64().unwrap() > 10,
        "{out}"
    );
    assert_eq!(
        out["history"]["refs_moved"], 3,
        "main, the tag, the stash: {out}"
    );
    assert_eq!(out["history"]["pushed"], serde_json::json!([]));

    // No commit, message, tag, stash or object left holds her.
    // (Diana's data, which holds hers, is left out of the search.)
    let without_diana = |text: String| {
        ["diana-lima", "Diana Lima", "diana@example.com"]
            .iter()
            .fold(text, |text, diana| text.replace(diana, "Diana's"))
    };
    let log = without_diana(env.git(&["log", "--all", "-p", "--format=%B"]));
    let tag = env.git(&["tag", "-n9", "v1"]);
    let objects = without_diana(every_object(&env));
    for personal in ANA_DATA {
        assert!(
            !log.contains(personal),
            "git log --all -p holds `{personal}`"
        );
        assert!(!objects.contains(personal), "an object holds `{personal}`");
    }
    assert!(
        tag.contains(&format!("Before the order of {pseudonym}")),
        "{tag}"
    );
    assert!(env.git(&["stash", "list"]).lines().count() == 1);
    assert!(
        env.git(&["stash", "show", "-p"])
            .contains(&format!("# met {pseudonym}"))
    );
    env.git(&["fsck", "--full", "--strict"]);
    assert!(env.git_status().is_empty(), "{}", env.git_status());
    // Her orders name the pseudonym all along; the others' history is intact.
    let order = env.git(&["log", "--format=%H", "--", "orders"]);
    assert!(!order.is_empty());
    assert_eq!(versions(&env, "customers/bob-stone.yaml"), bob_before);
    let stamps_after = stamps(&env);
    assert_eq!(
        stamps_after.lines().skip(2).collect::<Vec<_>>(),
        stamps_before.lines().collect::<Vec<_>>(),
        "authors and dates kept, two commits added (forget, the marking)"
    );
    let entry = env.read(&format!("suppressed/{pseudonym}.yaml"));
    assert!(entry.contains("history_rewritten: 2026-11-22"), "{entry}");
    assert!(entry.contains("old_history:\n- "), "{entry}");
    let diana = env.read("customers/diana-lima.yaml");
    assert!(
        diana.contains("name: Diana Lima") && diana.contains("diana@example.com"),
        "{diana}"
    );
    let revenue_after: Value = env.json(&["report", "revenue", "--by", "product"]);
    assert_eq!(revenue_after, revenue_before);
    env.run(&["check"]).ok();
    // Done again, it finds her in no history.
    let stderr = env
        .run(&["customer", "forget", "ana-lima", "--rewrite-history"])
        .fails(3);
    assert!(
        stderr.contains("no version of customer `ana-lima`"),
        "{stderr}"
    );
}

#[test]
fn rewrite_history_refuses_before_writing_anything() {
    let env = store();
    let unchanged = |env: &TestEnv, head: &str| {
        assert_eq!(env.head(), head);
        assert!(env.files().iter().any(|f| f == "customers/ana-lima.yaml"));
    };
    let head = env.head();
    let bob = env.read("customers/bob-stone.yaml");
    env.write("customers/bob-stone.yaml", &format!("{bob}# a hand edit\n"));
    let stderr = env
        .run(&["customer", "forget", "ana-lima", "--rewrite-history"])
        .fails(1);
    assert!(
        stderr.contains("changes not committed yet: customers/bob-stone.yaml"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: nothing was written; commit them"),
        "{stderr}"
    );
    unchanged(&env, &head);
    env.git(&["checkout", "customers/bob-stone.yaml"]);

    env.git(&["init", "--quiet", "--bare", "../remote.git"]);
    env.git(&["remote", "add", "origin", "../remote.git"]);
    env.git(&["push", "--quiet", "origin", "main"]);
    let stderr = env
        .run(&["customer", "forget", "ana-lima", "--rewrite-history"])
        .fails(1);
    assert!(
        stderr.contains("the repository has remotes (origin)"),
        "{stderr}"
    );
    assert!(stderr.contains("add --yes to force-push"), "{stderr}");
    unchanged(&env, &head);

    env.run(&["customer", "forget", "nobody", "--rewrite-history", "--yes"])
        .fails(3);
    unchanged(&env, &head);
    // A branch on the remote that this clone never fetched.
    env.git(&[
        "--git-dir",
        "../remote.git",
        "branch",
        "elsewhere",
        "main~1",
    ]);
    let stderr = env
        .run(&[
            "customer",
            "forget",
            "ana-lima",
            "--rewrite-history",
            "--yes",
        ])
        .fails(1);
    assert!(
        stderr.contains("`refs/heads/elsewhere` on the remote `origin` holds commits"),
        "{stderr}"
    );
    assert!(stderr.contains("run `relate sync` first"), "{stderr}");
    unchanged(&env, &head);
}

#[test]
fn rewrite_history_spares_a_customer_whose_merge_into_them_was_undone() {
    let env = store();
    env.created(&["customer", "add", "Cid Lima", "--email", "cid@example.com"]);
    env.run(&["customer", "merge", "ana-lima", "cid-lima"]).ok();
    env.run(&["undo"]).ok();
    assert!(env.files().iter().any(|f| f == "customers/cid-lima.yaml"));
    let cid_before = versions(&env, "customers/cid-lima.yaml");
    env.run(&["customer", "forget", "ana-lima", "--rewrite-history"])
        .ok();
    assert_eq!(versions(&env, "customers/cid-lima.yaml"), cid_before);
    assert!(
        env.read("customers/cid-lima.yaml")
            .contains("cid@example.com")
    );
}
