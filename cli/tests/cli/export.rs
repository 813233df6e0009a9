//! `relate export`: CSV, JSON, JSON Lines and vCard, and the round trip back
//! through `relate import`.

use relate::model::{Customer, Interaction, Order};

use crate::common::TestEnv;
use crate::import::{SURVEY_MAP, TEAM, fixture};

/// The text of a visit report logged from standard input: its first line is
/// the summary, the whole (trimmed, with a final newline) the multi-line body.
const VISIT: &str = "Visit at their office\nAttendees: Ana, Bob\n  - toner for the new printers\n";

/// A store with customers, products, orders, interactions and deals of every shape.
fn filled() -> TestEnv {
    let env = TestEnv::with_basics();
    env.run(&[
        "customer",
        "set",
        "ana-lima",
        "tags=vip,fair",
        "phones=+55 11 5555 0101",
        "fields.shoe_size=38",
        "income=52000.50",
        "notes=Prefers e-mail.\nSpeaks Portuguese, English.",
    ])
    .ok();
    env.run(&[
        "order",
        "add",
        "ana-lima",
        "--line",
        "toner:3",
        "--line",
        "printer:1:450",
        "--at",
        "2026-11-03T09:30:00+01:00",
        "--payment",
        "card",
    ])
    .ok();
    env.run(&[
        "order",
        "add",
        "acme-corp",
        "--total",
        "120",
        "--at",
        "2026-10-01",
    ])
    .ok();
    env.run(&[
        "log",
        "ana-lima",
        "--channel",
        "phone",
        "--summary",
        "Asked about delivery, \"urgent\"",
        "--at",
        "2026-11-04T15:00:00Z",
        "--score",
        "8",
    ])
    .ok();
    env.run_with_stdin(
        &[
            "log",
            "acme-corp",
            "--channel",
            "meeting",
            "--at",
            "2026-11-05T10:00:00Z",
        ],
        VISIT,
    )
    .ok();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Printers for the new office",
        "--line",
        "printer:2",
        "--close-by",
        "2026-12-15",
    ])
    .ok();
    env
}

/// Every record file below the store, with its text.
fn records(env: &TestEnv) -> Vec<(String, String)> {
    env.files()
        .into_iter()
        .filter(|f| f.ends_with(".yaml") && f != "relate.yaml")
        .map(|f| {
            let text = env.read(&f);
            (f, text)
        })
        .collect()
}

fn export_to_file(env: &TestEnv, what: &str) -> String {
    let out = env.run(&["export", what]).ok();
    let path = env.path().join(format!("{what}.csv"));
    std::fs::write(&path, out).unwrap();
    path.to_string_lossy().into_owned()
}

/// Re-imports the CSV export of each kind into the store it came from: a dry
/// run must plan nothing.
fn assert_exports_re_import_unchanged(env: &TestEnv, kinds: &[&str]) {
    for what in kinds {
        let file = export_to_file(env, what);
        let run = env.run(&["import", what, &file, "--dry-run"]);
        assert!(
            run.stderr
                .contains("Dry run: 0 created, 0 updated; nothing was written."),
            "{what}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "action  kind  id  label\n", "{what}");
    }
}

#[test]
fn every_export_re_imports_into_its_store_as_no_change() {
    let env = filled();
    let kinds = ["customers", "products", "orders", "interactions", "deals"];
    assert_exports_re_import_unchanged(&env, &kinds);
    let commits = env.commits().len();
    for what in kinds {
        let file = export_to_file(&env, what);
        let stderr = env.run(&["import", what, &file]).stderr;
        assert!(stderr.contains("Nothing to change"), "{what}: {stderr}");
    }
    assert_eq!(env.commits().len(), commits);
}

#[test]
fn interactions_from_mail_and_surveys_re_import_as_no_change() {
    let env = TestEnv::with_basics();
    env.write(
        "relate.yaml",
        &env.read("relate.yaml").replace("owners: []\n", TEAM),
    );
    env.run(&["import", "mail", &fixture("mail.mbox")]).ok();
    let survey = fixture("survey.csv");
    env.run(&[&["import", "survey", survey.as_str()], SURVEY_MAP].concat())
        .ok();
    let bodies = env
        .files()
        .into_iter()
        .filter(|f| f.starts_with("interactions/"))
        .filter(|f| {
            env.yaml(f)["body"]
                .as_str()
                .is_some_and(|b| b.ends_with('\n'))
        })
        .count();
    assert_eq!(
        bodies, 5,
        "3 messages and 2 answers, each body ending in a newline"
    );
    assert_exports_re_import_unchanged(&env, &["interactions", "customers"]);
}

#[test]
fn exports_keep_a_body_as_stored() {
    let env = filled();
    let visit = crate::import::record_with(&env, "interactions/", "Attendees");
    assert_eq!(visit["body"], VISIT);
    let csv = env.run(&["export", "interactions"]).ok();
    assert!(csv.contains(&format!(",\"{VISIT}\",")), "{csv}");
    for format in ["json", "jsonl"] {
        let out = env
            .run(&["export", "interactions", "--format", format])
            .ok();
        let interactions: Vec<Interaction> = if format == "json" {
            serde_json::from_str(&out).unwrap()
        } else {
            out.lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let bodies: Vec<Option<&str>> = interactions.iter().map(|i| i.body.as_deref()).collect();
        assert_eq!(bodies, [None, Some(VISIT)], "{format}");
    }
}

#[test]
fn csv_exports_re_import_into_an_empty_store_as_the_same_files() {
    let source = filled();
    let target = TestEnv::new();
    for what in ["customers", "products", "orders", "interactions"] {
        let file = export_to_file(&source, what);
        target.run(&["import", what, &file]).ok();
    }
    // A deal's lines and stage history are in JSON exports only, not in its CSV row.
    let mut expected = records(&source);
    expected.retain(|(file, _)| !file.starts_with("deals/"));
    assert_eq!(records(&target), expected);
}

#[test]
fn an_exported_file_edited_elsewhere_re_imports_as_updates() {
    let env = filled();
    let file = export_to_file(&env, "customers");
    let stderr = env.run(&["import", "customers", &file]).stderr;
    assert!(stderr.contains("Nothing to change"), "{stderr}");

    let edited = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Acme Corp,organization", "Acme Corporation,organization");
    std::fs::write(&file, edited).unwrap();
    let stderr = env.run(&["import", "customers", &file]).stderr;
    assert!(stderr.contains("0 created, 1 updated"), "{stderr}");
    assert_eq!(
        env.yaml("customers/acme-corp.yaml")["name"],
        "Acme Corporation"
    );
    assert_eq!(env.last_commit_files(), ["customers/acme-corp.yaml"]);
}

#[test]
fn orders_export_one_row_per_line_with_ids() {
    let env = filled();
    let csv = env.run(&["export", "orders"]).ok();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,external_id,customer,at,product,quantity,price,total,payment_method,channel,deal"
    );
    // acme's order of 120 without lines, then ana's two lines:
    // 3 x 19.90 + 1 x 450 = 59.70 + 450 = 509.70
    assert_eq!(lines.len(), 4);
    assert!(
        lines[1].ends_with(",acme-corp,2026-10-01T00:00:00Z,,,,120,,,"),
        "{csv}"
    );
    assert!(
        lines[2].contains(",ana-lima,2026-11-03T09:30:00+01:00,toner,3,19.9,509.7,card,,"),
        "{csv}"
    );
    assert!(lines[3].contains(",printer,1,450,509.7,card,,"), "{csv}");
}

#[test]
fn json_and_jsonl_carry_whole_records() {
    let env = filled();
    let customers: Vec<Customer> =
        serde_json::from_str(&env.run(&["export", "customers", "--format", "json"]).ok()).unwrap();
    assert_eq!(customers.len(), 2);
    let ana = customers.iter().find(|c| c.id == "ana-lima").unwrap();
    assert_eq!(
        ana.notes.as_deref(),
        Some("Prefers e-mail.\nSpeaks Portuguese, English.")
    );
    assert_eq!(ana.fields.get("shoe_size"), Some(&38.into()));

    let jsonl = env.run(&["export", "orders", "--format", "jsonl"]).ok();
    let orders: Vec<Order> = jsonl
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(orders.len(), 2);
    assert_eq!(orders[1].lines.len(), 2);
    assert_eq!(orders[1].value(), "509.70".parse().unwrap());

    let stderr = env
        .run(&["export", "orders", "--format", "markdown"])
        .fails(2);
    assert!(stderr.contains("writes csv, json or jsonl"), "{stderr}");
    let stderr = env.run(&["customer", "list", "--format", "jsonl"]).fails(2);
    assert!(stderr.contains("only for `relate export`"), "{stderr}");
}

#[test]
fn vcards_round_trip_names_emails_phones_organisation_and_notes() {
    let source = filled();
    source
        .run(&["import", "vcard", &fixture("contacts-3.vcf")])
        .ok();
    let cards = source.run(&["export", "vcard"]).ok();
    assert!(
        cards.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"),
        "{cards}"
    );
    assert_eq!(cards.matches("BEGIN:VCARD").count(), 4);
    assert!(cards.contains("NOTE:Prefers e-mail.\\nSpeaks Portuguese\\, English.\r\n"));

    let target = TestEnv::new();
    target
        .run_with_stdin(&["import", "vcard", "-"], &cards)
        .ok();
    for id in ["acme-corp", "ana-lima", "chinedu-okafor", "nordlicht-gmbh"] {
        let before = source.yaml(&format!("customers/{id}.yaml"));
        let after = target.yaml(&format!("customers/{id}.yaml"));
        for field in ["name", "kind", "company", "emails", "phones", "notes"] {
            assert_eq!(after.get(field), before.get(field), "{id} {field}");
        }
    }
    let commits = source.commits().len();
    source
        .run_with_stdin(&["import", "vcard", "-"], &cards)
        .ok();
    assert_eq!(
        source.commits().len(),
        commits,
        "cards find their customers again"
    );
}

#[test]
fn where_keeps_the_selected_customers_and_their_records() {
    let env = filled();
    let customers: Vec<Customer> = serde_json::from_str(
        &env.run(&[
            "export",
            "customers",
            "--where",
            "kind = \"person\"",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    let ids: Vec<&str> = customers.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["ana-lima"]);
    let orders = env
        .run(&[
            "export",
            "orders",
            "--where",
            "kind = \"organization\"",
            "--format",
            "jsonl",
        ])
        .ok();
    assert_eq!(orders.lines().count(), 1);
    assert!(orders.contains("\"customer\":\"acme-corp\""), "{orders}");
    let cards = env
        .run(&["export", "vcard", "--where", "kind = \"person\""])
        .ok();
    assert_eq!(cards.matches("BEGIN:VCARD").count(), 1);
    assert!(cards.contains("FN:Ana Lima\r\n"));

    let stderr = env
        .run(&["export", "products", "--where", "kind = \"person\""])
        .fails(2);
    assert!(stderr.contains("products have none"), "{stderr}");
    let stderr = env
        .run(&["export", "customers", "--where", "knd = \"person\""])
        .fails(2);
    assert!(stderr.contains("invalid filter"), "{stderr}");
}

#[test]
fn the_sample_store_re_imports_its_own_exports_as_no_change() {
    // sample-data has interactions that name tickets and campaigns, fields a
    // hand-built fixture easily forgets.
    let env = TestEnv::empty();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample-data");
    let copy = std::process::Command::new("cp")
        .arg("-r")
        .arg(&sample)
        .arg(env.store())
        .status()
        .unwrap();
    assert!(copy.success());
    git2::Repository::init(env.store()).unwrap();
    let interactions = env.run(&["export", "interactions"]).ok();
    assert!(
        interactions
            .lines()
            .next()
            .unwrap()
            .contains(",ticket,campaign,")
    );
    assert_exports_re_import_unchanged(
        &env,
        &["customers", "products", "orders", "interactions", "deals"],
    );
}
