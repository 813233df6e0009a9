//! `relate import`: CSV files with mappings and presets, vCards, e-mail and
//! questionnaires; idempotent re-imports, rejected bad rows, dry runs.

use serde::Deserialize;

use crate::common::TestEnv;

/// The path of a file in tests/fixtures.
pub fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The one record file in `folder` (below the store) whose text contains `needle`.
pub fn record_with(env: &TestEnv, folder: &str, needle: &str) -> serde_yaml::Value {
    let matches: Vec<String> = env
        .files()
        .into_iter()
        .filter(|f| f.starts_with(folder) && f.ends_with(".yaml"))
        .filter(|f| env.read(f).contains(needle))
        .collect();
    assert_eq!(
        matches.len(),
        1,
        "one file in {folder} with {needle:?}: {matches:?}"
    );
    env.yaml(&matches[0])
}

fn count(env: &TestEnv, folder: &str) -> usize {
    env.files()
        .iter()
        .filter(|f| f.starts_with(folder) && f.ends_with(".yaml"))
        .count()
}

const RETAIL_MAP: &[&str] = &[
    "--map",
    "external_id=InvoiceNo",
    "--map",
    "product=StockCode",
    "--map",
    "product_name=Description",
    "--map",
    "quantity=Quantity",
    "--map",
    "at=InvoiceDate",
    "--map",
    "price=UnitPrice",
    "--map",
    "customer=CustomerID",
    "--map",
    "total=Total",
    "--date-format",
    "%m/%d/%Y %H:%M",
    "--create-customers",
    "--create-products",
];

fn import_retail(env: &TestEnv, extra: &[&str]) -> crate::common::Run {
    let file = fixture("orders-retail.csv");
    let mut args = vec!["import", "orders", file.as_str()];
    args.extend(RETAIL_MAP);
    args.extend(extra);
    env.run(&args)
}

#[test]
fn retail_line_items_become_orders_with_lines_in_one_commit() {
    let env = TestEnv::new();
    let stderr = import_retail(&env, &[]).stderr;
    assert!(stderr.contains("12 created, 0 updated"), "{stderr}");
    assert!(stderr.contains("Columns not imported: Country"), "{stderr}");
    assert_eq!(
        env.commits()[0],
        "import orders: orders-retail.csv (12 created, 0 updated)"
    );
    // 2 customers, 6 products, 4 orders: all in the one commit.
    assert_eq!(env.last_commit_files().len(), 12);
    assert_eq!(count(&env, "orders/2010/12/"), 4);

    let invoice = record_with(&env, "orders/", "external_id: '536365'");
    assert_eq!(invoice["customer"], "17850");
    assert_eq!(invoice["at"], "2010-12-01T08:26:00Z");
    let lines = invoice["lines"].as_sequence().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["product"], "85123a", "SKUs become ids");
    assert_eq!(lines[0]["quantity"], 6);
    assert_eq!(lines[0]["price"], 2.55);
    // 6 x 2.55 + 6 x 3.39 + 8 x 2.75 = 15.30 + 20.34 + 22.00
    assert_eq!(invoice["total"], 57.64);
    // 32 x 1.69 + 6 x 2.10 = 54.08 + 12.60
    assert_eq!(
        record_with(&env, "orders/", "external_id: '536367'")["total"],
        66.68
    );
    let voucher = record_with(&env, "orders/", "external_id: '536368'");
    assert_eq!(voucher["total"], 50, "a row with a total and no product");
    assert!(voucher.get("lines").is_none());

    let product = env.yaml("products/85123a.yaml");
    assert_eq!(product["name"], "WHITE HANGING HEART T-LIGHT HOLDER");
    assert_eq!(product["price"], 2.55);
    assert_eq!(product["external_id"], "85123A");
    let customer = env.yaml("customers/13047.yaml");
    assert_eq!(customer["external_id"], "13047");
    assert_eq!(customer["kind"], "person");
}

#[test]
fn importing_the_same_file_again_changes_nothing() {
    let env = TestEnv::new();
    import_retail(&env, &[]).ok();
    let files = env.files();
    let commits = env.commits().len();
    let stderr = import_retail(&env, &[]).stderr;
    assert!(stderr.contains("Nothing to change"), "{stderr}");
    assert_eq!(env.commits().len(), commits, "no new commit");
    assert_eq!(env.files(), files);
}

#[test]
fn a_file_with_bad_rows_writes_nothing_and_names_each_bad_line() {
    let env = TestEnv::with_basics();
    let files = env.files();
    let commits = env.commits().len();
    let file = fixture("orders-bad.csv");
    let stderr = env.run(&["import", "orders", &file]).fails(4);
    assert!(
        stderr.contains(&format!("error: {file}:4: `02/11/2026` is not a date-time")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("error: {file}:5: quantity -3 must be more than 0")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("error: {file}:6: unknown product `stapler`")),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error:").count(), 3, "{stderr}");
    assert!(
        stderr.contains("hint: nothing was imported (3 problems)"),
        "{stderr}"
    );
    assert_eq!(env.files(), files);
    assert_eq!(env.commits().len(), commits);
    assert!(!env.is_dirty());
}

#[test]
fn skip_invalid_imports_the_good_rows_and_lists_the_others() {
    let env = TestEnv::with_basics();
    let file = fixture("orders-bad.csv");
    let stderr = env
        .run(&["import", "orders", &file, "--skip-invalid"])
        .stderr;
    for line in [4, 5, 6] {
        assert!(
            stderr.contains(&format!("skipped: {file}:{line}: ")),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("1 created, 0 updated; 3 problems skipped"),
        "{stderr}"
    );
    assert_eq!(count(&env, "orders/"), 1);
    let order = record_with(&env, "orders/", "external_id: A-1");
    // 2 x 19.90 (the product's price) + 1 x 499
    assert_eq!(order["total"], 538.8);
    assert_eq!(order["lines"].as_sequence().unwrap().len(), 2);
    assert_eq!(env.last_commit_files().len(), 1);
}

#[test]
fn skip_invalid_lists_every_row_left_out_and_says_when_nothing_was_imported() {
    let env = TestEnv::new();
    env.run(&["customer", "add", "Acme Corp"]).ok();
    env.run(&["product", "add", "toner", "--name", "Toner", "--price", "5"])
        .ok();
    let commits = env.commits().len();
    let file = fixture("orders-bad.csv");
    let stderr = env
        .run(&["import", "orders", &file, "--skip-invalid"])
        .stderr;
    // Line 2 is fine, but its order A-1 has an unknown product on line 3.
    assert!(
        stderr.contains(&format!(
            "skipped: {file}:2: left out with its order, which has a problem on line 3\n"
        )),
        "{stderr}"
    );
    for line in 3..=6 {
        assert!(
            stderr.contains(&format!("skipped: {file}:{line}: ")),
            "{stderr}"
        );
    }
    // Lines 3 and 4 have one problem each, 5 and 6 two (customer and
    // quantity or product), and line 2 is left out: 1 + 1 + 2 + 2 + 1 = 7.
    assert_eq!(stderr.matches("skipped: ").count(), 7, "{stderr}");
    assert!(
        stderr.ends_with(&format!(
            "Nothing imported from {file}: 0 created, 0 updated; 7 problems skipped.\n"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("already has everything"), "{stderr}");
    assert_eq!(env.commits().len(), commits);

    let stderr = env
        .run(&["import", "orders", &file, "--skip-invalid", "--dry-run"])
        .stderr;
    assert!(
        stderr.contains("Dry run: 0 created, 0 updated; 7 problems skipped; nothing was written."),
        "{stderr}"
    );
}

#[test]
fn a_bad_value_shared_by_the_rows_of_an_order_is_named_at_each_row() {
    let env = TestEnv::new();
    let file = fixture("orders-retail.csv");
    let mut args = vec!["import", "orders", file.as_str()];
    args.extend(RETAIL_MAP);
    let format = args.iter().position(|a| *a == "%m/%d/%Y %H:%M").unwrap();
    args[format] = "%d.%m.%Y";
    let stderr = env.run(&args).fails(4);
    // Every one of the 7 rows has a date in another format: 3 + 1 + 2 + 1 rows
    // in 4 orders.
    for line in 2..=8 {
        assert!(
            stderr.contains(&format!("error: {file}:{line}: `12/1/2010 ")),
            "line {line}: {stderr}"
        );
    }
    assert_eq!(stderr.matches("error: ").count(), 7, "{stderr}");
    assert!(
        stderr.contains("hint: nothing was imported (7 problems)"),
        "{stderr}"
    );
}

/// The JSON shape of a dry run's rows.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct PlannedChange {
    action: String,
    kind: String,
    id: String,
    label: String,
}

#[test]
fn a_dry_run_lists_the_changes_and_writes_nothing() {
    let env = TestEnv::new();
    let files = env.files();
    let out = import_retail(&env, &["--dry-run", "--format", "json"]);
    assert!(
        out.stderr.contains("Dry run: 12 created, 0 updated"),
        "{}",
        out.stderr
    );
    let changes: Vec<PlannedChange> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(changes.len(), 12);
    assert_eq!(
        changes[0],
        PlannedChange {
            action: "create".into(),
            kind: "customer".into(),
            id: "17850".into(),
            label: "17850".into(),
        }
    );
    let orders: Vec<&PlannedChange> = changes.iter().filter(|c| c.kind == "order").collect();
    assert_eq!(orders.len(), 4);
    assert_eq!(orders[0].label, "17850 57.64");
    assert_eq!(env.files(), files);
    assert_eq!(env.commits().len(), 1);
}

#[test]
fn hubspot_exports_import_with_presets_and_update_by_email() {
    let env = TestEnv::with_basics();
    let contacts = fixture("hubspot-contacts.csv");
    let stderr = env
        .run(&[
            "import",
            "customers",
            &contacts,
            "--preset",
            "hubspot-contacts",
        ])
        .stderr;
    assert!(stderr.contains("2 created, 1 updated"), "{stderr}");
    assert!(
        stderr.contains("Columns not imported: Lead Status"),
        "{stderr}"
    );
    let maria = env.yaml("customers/maria-johnson.yaml");
    assert_eq!(maria["name"], "Maria Johnson");
    assert_eq!(maria["kind"], "person");
    assert_eq!(maria["external_id"], "51");
    assert_eq!(maria["emails"][0], "maria.johnson@brightpath.example");
    assert_eq!(maria["company"], "BrightPath Inc");
    assert_eq!(maria["stage"], "customer");
    assert_eq!(maria["created"], "2024-02-01");
    assert_eq!(maria["region"], "United States");
    assert_eq!(maria["fields"]["job_title"], "VP Operations");
    let kenji = env.yaml("customers/kenji-watanabe.yaml");
    assert_eq!(kenji["stage"], "prospect", "a marketing qualified lead");
    assert_eq!(kenji["phones"][0], "+81 90 1234 5678");
    // Ana Lima existed with the same e-mail: updated, not duplicated.
    let ana = env.yaml("customers/ana-lima.yaml");
    assert_eq!(ana["external_id"], "53");
    assert_eq!(
        ana["phones"],
        serde_yaml::from_str::<serde_yaml::Value>("['+55 11 5555 0101', '+55 11 9999 0101']")
            .unwrap()
    );
    assert_eq!(count(&env, "customers/"), 4);

    let deals = fixture("hubspot-deals.csv");
    env.run(&["import", "deals", &deals, "--preset", "hubspot-deals"])
        .ok();
    let renewal = env.yaml("deals/maria-johnson-brightpath-renewal.yaml");
    assert_eq!(renewal["stage"], "negotiation", "Contract Sent");
    assert_eq!(renewal["amount"], 12000);
    assert_eq!(renewal["expected_close"], "2024-06-30");
    assert_eq!(renewal["created"], "2024-02-10");
    let pilot = env.yaml("deals/kenji-watanabe-sakura-pilot.yaml");
    assert_eq!(pilot["outcome"], "won");
    assert_eq!(pilot["closed"], "2024-05-02");

    let commits = env.commits().len();
    env.run(&[
        "import",
        "customers",
        &contacts,
        "--preset",
        "hubspot-contacts",
    ])
    .ok();
    env.run(&["import", "deals", &deals, "--preset", "hubspot-deals"])
        .ok();
    assert_eq!(env.commits().len(), commits, "re-imports change nothing");
    let stderr = env
        .run(&["import", "deals", &contacts, "--preset", "hubspot-contacts"])
        .fails(2);
    assert!(
        stderr.contains("is for `relate import customers`"),
        "{stderr}"
    );
}

#[test]
fn csv_from_standard_input_with_maps_and_a_semicolon_delimiter() {
    let env = TestEnv::new();
    let csv = "Full name;Mail;Tags;Since\nLena Berg;lena@berg.example;vip, fair;03.02.2025\n";
    let args = [
        "import",
        "customers",
        "-",
        "--delimiter",
        ";",
        "--map",
        "name=Full name",
        "--map",
        "emails=Mail",
        "--map",
        "created=Since",
        "--date-format",
        "%d.%m.%Y",
    ];
    let stderr = env.run_with_stdin(&args, csv).stderr;
    assert!(stderr.contains("1 created"), "{stderr}");
    let lena = env.yaml("customers/lena-berg.yaml");
    assert_eq!(lena["kind"], "organization", "no preset, no company");
    assert_eq!(lena["created"], "2025-02-03");
    assert_eq!(lena["tags"][1], "fair");

    let stderr = env
        .run_with_stdin(
            &["import", "customers", "-", "--map", "nmae=Full name"],
            csv,
        )
        .fails(2);
    assert!(stderr.contains("--map: unknown field `nmae`"), "{stderr}");
    let stderr = env
        .run_with_stdin(&["import", "customers", "-", "--map", "name=Nom"], csv)
        .fails(2);
    assert!(stderr.contains("has no column `Nom`"), "{stderr}");
}

#[test]
fn a_changed_row_updates_its_record() {
    let env = TestEnv::new();
    let csv = "id,name,emails,region\n,Lena Berg,lena@berg.example,EU\n";
    env.run_with_stdin(&["import", "customers", "-"], csv).ok();
    let changed = "id,name,emails,region\nlena-berg,Lena Berg,lena@berg.example,US\n";
    let stderr = env
        .run_with_stdin(&["import", "customers", "-"], changed)
        .stderr;
    assert!(stderr.contains("0 created, 1 updated"), "{stderr}");
    assert_eq!(env.yaml("customers/lena-berg.yaml")["region"], "US");
    assert_eq!(env.last_commit_files(), ["customers/lena-berg.yaml"]);
}

#[test]
fn vcards_of_versions_3_and_4_become_customers() {
    let env = TestEnv::with_basics();
    let stderr = env
        .run(&["import", "vcard", &fixture("contacts-3.vcf")])
        .stderr;
    assert!(stderr.contains("2 created, 1 updated"), "{stderr}");
    let chinedu = env.yaml("customers/chinedu-okafor.yaml");
    assert_eq!(chinedu["kind"], "person");
    assert_eq!(chinedu["company"], "Lagos Freight Ltd");
    assert_eq!(chinedu["emails"][1], "c.okafor@mail.example");
    assert_eq!(chinedu["phones"][0], "+234 803 555 0199");
    assert_eq!(
        chinedu["notes"],
        "Met at the Hamburg fair, booth 4B.\nPrefers calls before 10:00; not after 16:00."
    );
    assert_eq!(
        chinedu["external_id"],
        "3f9c2a7e-1b44-4d1e-9a51-7c2f0b8e4d10"
    );
    let nordlicht = env.yaml("customers/nordlicht-gmbh.yaml");
    assert_eq!(nordlicht["kind"], "organization");
    assert!(nordlicht.get("company").is_none());
    assert_eq!(
        env.yaml("customers/ana-lima.yaml")["phones"][0],
        "+55 11 5555 0101"
    );

    env.run(&["import", "vcard", &fixture("contacts-4.vcf")])
        .ok();
    let sofia = env.yaml("customers/sofia-martinez.yaml");
    assert_eq!(sofia["name"], "Sofía Martínez");
    assert_eq!(sofia["company"], "Estudio Martínez");
    assert_eq!(
        sofia["phones"][0], "+34-600-555-012",
        "tel: URIs lose their scheme"
    );
    assert_eq!(
        sofia["notes"],
        "Architect. Wants the premium plan, billed yearly."
    );
    let kiwi = env.yaml("customers/kiwi-orchards-cooperative.yaml");
    assert_eq!(kiwi["kind"], "organization", "KIND:org");
    let dmitri = env.yaml("customers/dmitri-volkov.yaml");
    assert_eq!(dmitri["emails"].as_sequence().unwrap().len(), 2);

    let commits = env.commits().len();
    env.run(&["import", "vcard", &fixture("contacts-3.vcf")])
        .ok();
    env.run(&["import", "vcard", &fixture("contacts-4.vcf")])
        .ok();
    assert_eq!(env.commits().len(), commits);
}

#[test]
fn vcard_import_takes_one_file_as_its_help_says() {
    let env = TestEnv::with_basics();
    let help = env.run(&["import", "vcard", "--help"]).ok();
    assert!(
        help.starts_with(
            "Import customers from a vCard 3.0 or 4.0 file (several cards in one file)"
        ),
        "{help}"
    );
    assert!(
        help.contains("Usage: relate import vcard [OPTIONS] <FILE>\n"),
        "{help}"
    );
    let (three, four) = (fixture("contacts-3.vcf"), fixture("contacts-4.vcf"));
    let stderr = env.run(&["import", "vcard", &three, &four]).fails(2);
    assert!(stderr.contains("unexpected argument"), "{stderr}");
}

pub const TEAM: &str = "owners:
- id: alice
  name: Alice Martin
  email: alice@team.example
- id: support
  name: Support
  email: support@team.example
";

#[test]
fn mail_becomes_email_interactions_with_readable_text() {
    let env = TestEnv::with_basics();
    env.write(
        "relate.yaml",
        &env.read("relate.yaml").replace("owners: []\n", TEAM),
    );
    let mbox = fixture("mail.mbox");
    let stderr = env.run(&["import", "mail", &mbox]).stderr;
    assert!(
        stderr.contains("unmatched: Björn Ødegård <bjorn@fjord.example> (1 message)"),
        "{stderr}"
    );
    assert!(stderr.contains("3 created, 0 updated"), "{stderr}");

    let question = record_with(&env, "interactions/", "order-question-1@example.com");
    assert_eq!(question["customer"], "ana-lima");
    assert_eq!(question["at"], "2026-11-02T10:15:00+01:00");
    assert_eq!(question["channel"], "email");
    assert_eq!(question["direction"], "inbound");
    assert_eq!(question["owner"], "alice");
    assert_eq!(question["summary"], "Question about order 536365");
    assert_eq!(
        question["body"],
        "Hello Alice,\n\ncould you confirm the delivery date for order 536365?\n\nThanks, Ana\n",
        "the plain-text part of a multipart message"
    );
    let quote = record_with(&env, "interactions/", "devis-acme-77@team.example");
    assert_eq!(quote["customer"], "acme-corp");
    assert_eq!(quote["direction"], "outbound", "sent by a team address");
    assert_eq!(
        quote["summary"], "Devis demandé",
        "an ISO-8859-1 encoded word"
    );
    assert!(
        quote["body"]
            .as_str()
            .unwrap()
            .contains("voici le devis demandé pour l'année prochaine"),
        "{:?}",
        quote["body"]
    );
    let reply = record_with(&env, "interactions/", "order-question-2@example.com");
    assert!(
        reply["body"]
            .as_str()
            .unwrap()
            .contains("From the warehouse they told me it ships on Friday – is that right?"),
        "windows-1252 and mbox quoting: {:?}",
        reply["body"]
    );

    let commits = env.commits().len();
    env.run(&["import", "mail", &mbox]).ok();
    assert_eq!(
        env.commits().len(),
        commits,
        "Message-IDs make it idempotent"
    );

    env.run(&["import", "mail", &mbox, "--create-customers"])
        .ok();
    let bjorn = env.yaml("customers/bjorn-odegard.yaml");
    assert_eq!(bjorn["name"], "Björn Ødegård");
    assert_eq!(bjorn["stage"], "lead");
    let offer = record_with(&env, "interactions/", "fjord-2026-11-03@fjord.example");
    assert_eq!(offer["summary"], "Angebot für Büromöbel");
    assert_eq!(offer["body"], "Können Sie uns ein Angebot schicken?\n");
    assert_eq!(env.last_commit_files().len(), 2, "the lead and its message");
}

#[test]
fn a_folder_of_eml_files_is_read_too() {
    let env = TestEnv::with_basics();
    env.write(
        "relate.yaml",
        &env.read("relate.yaml").replace("owners: []\n", TEAM),
    );
    env.run(&["import", "mail", &fixture("eml")]).ok();
    let ticket = record_with(&env, "interactions/", "jam-1@example.com");
    assert_eq!(ticket["summary"], "Printer jams");
    assert_eq!(ticket["owner"], "support");
    assert_eq!(
        count(&env, "interactions/"),
        1,
        "notes.txt is not a message"
    );
}

pub const SURVEY_MAP: &[&str] = &[
    "--map",
    "at=Timestamp",
    "--map",
    "gender=Gender",
    "--map",
    "birth_year=Year of birth",
    "--map",
    "score=How likely are you to recommend us to a friend? (0-10)",
    "--map",
    "body=What could we do better?",
];

#[test]
fn survey_answers_fill_profiles_and_log_scored_questionnaires() {
    let env = TestEnv::with_basics();
    let survey = fixture("survey.csv");
    let mut args = vec!["import", "survey", survey.as_str()];
    args.extend(SURVEY_MAP);
    let stderr = env.run(&args).stderr;
    assert!(
        stderr.contains("Answers kept in each interaction's body: Favourite product"),
        "{stderr}"
    );
    let ana = env.yaml("customers/ana-lima.yaml");
    assert_eq!(ana["gender"], "female");
    assert_eq!(ana["birth_year"], 1988);
    let answer = record_with(&env, "interactions/", "customer: ana-lima");
    assert_eq!(answer["channel"], "questionnaire");
    assert_eq!(answer["score"], 9);
    assert_eq!(answer["at"], "2026-11-10T09:12:00Z");
    assert_eq!(
        answer["body"],
        "Faster delivery\nFavourite product: Toner A4\n"
    );
    let acme = record_with(&env, "interactions/", "customer: acme-corp");
    assert_eq!(acme["score"], 7);

    let commits = env.commits().len();
    env.run(&args).ok();
    assert_eq!(env.commits().len(), commits);

    let stderr = env.run(&["import", "survey", &survey]).fails(2);
    assert!(stderr.contains("no `at` column"), "{stderr}");
}

#[test]
fn survey_respondents_must_be_known_unless_created() {
    let env = TestEnv::new();
    let survey = fixture("survey.csv");
    let mut args = vec!["import", "survey", survey.as_str()];
    args.extend(SURVEY_MAP);
    let stderr = env.run(&args).fails(4);
    assert!(
        stderr.contains(&format!("{survey}:2: no customer has")),
        "{stderr}"
    );
    args.push("--create-customers");
    env.run(&args).ok();
    assert_eq!(
        env.yaml("customers/ana-lima.yaml")["emails"][0],
        "ana@example.com"
    );
    assert_eq!(count(&env, "interactions/"), 2);
}

#[test]
fn rows_of_one_order_must_agree_and_a_moved_date_moves_the_file() {
    let env = TestEnv::with_basics();
    let disagree = "external_id,customer,at,product\nB-1,acme-corp,2026-11-02,toner\nB-1,ana-lima,2026-11-02,printer\n";
    let stderr = env
        .run_with_stdin(&["import", "orders", "-"], disagree)
        .fails(4);
    assert!(
        stderr.contains(
            "-:3: customer `ana-lima` differs from `acme-corp` on line 2 of the same order"
        ),
        "{stderr}"
    );

    let csv =
        "external_id,customer,at,product,quantity\nB-1,acme-corp,2026-10-31T23:00:00Z,toner,2\n";
    let stderr = env.run_with_stdin(&["import", "orders", "-"], csv).stderr;
    assert!(
        !stderr.contains("writing"),
        "no progress bar off a terminal: {stderr}"
    );
    let october = record_with(&env, "orders/2026/10/", "external_id: B-1");
    let moved = csv.replace("2026-10-31T23:00:00Z", "2026-11-01T09:00:00Z");
    let stderr = env
        .run_with_stdin(&["import", "orders", "-"], &moved)
        .stderr;
    assert!(stderr.contains("0 created, 1 updated"), "{stderr}");
    assert_eq!(count(&env, "orders/"), 1, "the old month's file is gone");
    let november = record_with(&env, "orders/2026/11/", "external_id: B-1");
    assert_eq!(november["id"], october["id"]);
    assert_eq!(november["at"], "2026-11-01T09:00:00Z");
    let id = october["id"].as_str().unwrap();
    assert_eq!(
        env.last_commit_files(),
        [
            format!("orders/2026/10/{id}.yaml"),
            format!("orders/2026/11/{id}.yaml")
        ]
    );
    assert!(!env.is_dirty());
}
