//! How imports find the records a file is about, and what they keep of them:
//! a survey answer leaves the profile alone, identical rows stay distinct
//! orders, distinct source keys stay distinct records, and an address book
//! adds to a customer's e-mails and phones.

use crate::common::TestEnv;
use crate::import::record_with;

/// The record files below `folder`.
fn files_in(env: &TestEnv, folder: &str) -> Vec<String> {
    env.files()
        .into_iter()
        .filter(|f| f.starts_with(folder) && f.ends_with(".yaml"))
        .collect()
}

/// Writes `text` to `name` in the test's folder (outside the store) and returns its path.
fn source(env: &TestEnv, name: &str, text: &str) -> String {
    let path = env.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn yaml_list(text: &str) -> serde_yaml::Value {
    serde_yaml::from_str(text).unwrap()
}

const NPS: &str = "Timestamp,Email,Score\n2026-11-25 10:00,info@acme.example,9\n";

/// The basic store, where Acme Corp has a second address and a phone.
fn acme() -> TestEnv {
    let env = TestEnv::with_basics();
    let set = "emails+=billing@acme.example";
    env.run(&[
        "customer",
        "set",
        "acme-corp",
        set,
        "phones+=+31 20 555 0100",
    ])
    .ok();
    env
}

#[test]
fn a_survey_answer_from_a_known_customer_leaves_their_profile_as_it_is() {
    for email_map in [None, Some("emails=Email")] {
        let env = acme();
        let profile = env.read("customers/acme-corp.yaml");
        let nps = source(&env, "nps.csv", NPS);
        let mut args = vec!["import", "survey", nps.as_str()];
        args.extend(["--map", "at=Timestamp", "--map", "score=Score"]);
        args.extend(email_map.iter().flat_map(|map| ["--map", map]));
        let stderr = env.run(&args).stderr;
        assert!(
            stderr.contains("1 created, 0 updated"),
            "{email_map:?}: {stderr}"
        );
        assert_eq!(
            env.read("customers/acme-corp.yaml"),
            profile,
            "{email_map:?}: neither the name nor the other address changes"
        );
        assert_eq!(
            env.commits()[0],
            "import survey: nps.csv (1 created, 0 updated)"
        );
        let answer = record_with(&env, "interactions/", "channel: questionnaire");
        assert_eq!(answer["customer"], "acme-corp");
        assert_eq!(answer["score"], 9);
        assert_eq!(
            env.last_commit_files(),
            files_in(&env, "interactions/"),
            "the commit holds the answer alone"
        );
    }
}

#[test]
fn a_survey_adds_what_it_learns_and_names_only_the_respondents_it_creates() {
    let env = acme();
    let survey = source(
        &env,
        "nps.csv",
        "Timestamp,Email,Phone,Region\n\
         2026-11-25 10:00,INFO@acme.example,+31 20 555 0199,EU\n\
         2026-11-25 11:00,new@lead.example,,US\n",
    );
    let args = [
        "import",
        "survey",
        survey.as_str(),
        "--map",
        "at=Timestamp",
        "--map",
        "phones=Phone",
        "--create-customers",
    ];
    let stderr = env.run(&args).stderr;
    assert!(stderr.contains("3 created, 1 updated"), "{stderr}");
    let acme = env.yaml("customers/acme-corp.yaml");
    assert_eq!(acme["name"], "Acme Corp");
    assert_eq!(acme["region"], "EU", "a field the row carries is filled in");
    assert_eq!(
        acme["emails"],
        yaml_list("[info@acme.example, billing@acme.example]"),
        "the address the respondent answered with is one of theirs, not all"
    );
    assert_eq!(
        acme["phones"],
        yaml_list("['+31 20 555 0100', '+31 20 555 0199']")
    );
    let lead = env.yaml("customers/new-lead-example.yaml");
    assert_eq!(
        lead["name"], "new@lead.example",
        "a new respondent is named by their e-mail"
    );
    assert_eq!(lead["emails"], yaml_list("[new@lead.example]"));

    let commits = env.commits().len();
    let stderr = env.run(&args).stderr;
    assert!(stderr.contains("Nothing to change"), "{stderr}");
    assert_eq!(env.commits().len(), commits);
}

/// The CDNOW transaction log's shape: customer, date, number of CDs, dollar value.
const CDNOW_MAP: &[&str] = &[
    "--map",
    "customer=customer_id",
    "--map",
    "at=date",
    "--map",
    "total=dollar_value",
    "--date-format",
    "%Y%m%d",
    "--create-customers",
];

fn import_cdnow(env: &TestEnv, rows: &[&str]) -> crate::common::Run {
    let text = format!("customer_id,date,cds,dollar_value\n{}\n", rows.join("\n"));
    let file = source(env, "cdnow.csv", &text);
    let mut args = vec!["import", "orders", file.as_str()];
    args.extend(CDNOW_MAP);
    env.run(&args)
}

#[test]
fn identical_rows_of_a_file_without_order_ids_are_distinct_orders() {
    let env = TestEnv::new();
    let first = "00001,19970101,1,11.77";
    let twice = "00002,19970112,2,12.00";
    let stderr = import_cdnow(&env, &[first, twice, twice]).stderr;
    assert!(stderr.contains("5 created, 0 updated"), "{stderr}");
    assert!(stderr.contains("Columns not imported: cds"), "{stderr}");
    let orders = files_in(&env, "orders/");
    assert_eq!(
        orders.len(),
        3,
        "two purchases of equal value on one day: {orders:?}"
    );
    let seconds: Vec<serde_yaml::Value> = orders
        .iter()
        .map(|f| env.yaml(f))
        .filter(|order| order["customer"] == "00002")
        .collect();
    assert_eq!(seconds.len(), 2);
    for order in &seconds {
        assert_eq!(order["total"], 12);
        assert_eq!(order["at"], "1997-01-12T00:00:00Z");
    }

    let commits = env.commits().len();
    let stderr = import_cdnow(&env, &[first, twice, twice]).stderr;
    assert!(stderr.contains("Nothing to change"), "{stderr}");
    assert_eq!(env.commits().len(), commits, "a re-import changes nothing");
    assert_eq!(files_in(&env, "orders/"), orders);

    let stderr = import_cdnow(&env, &[first, twice, twice, twice]).stderr;
    assert!(stderr.contains("1 created, 0 updated"), "{stderr}");
    assert_eq!(files_in(&env, "orders/").len(), 4);
    let added = env.last_commit_files();
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(!orders.contains(&added[0]), "{added:?}");
}

#[test]
fn orders_of_equal_value_with_different_lines_are_found_again_each_as_itself() {
    let env = TestEnv::with_basics();
    let file = source(
        &env,
        "sales.csv",
        "customer,at,product,quantity,price,payment_method\n\
         acme-corp,2026-11-02 09:00,toner,1,10,card\n\
         acme-corp,2026-11-02 09:00,printer,1,10,cash\n\
         acme-corp,2026-11-02 09:00,toner,2,5,card\n",
    );
    let stderr = env.run(&["import", "orders", &file]).stderr;
    assert!(stderr.contains("3 created, 0 updated"), "{stderr}");
    let printer = record_with(&env, "orders/", "product: printer");
    assert_eq!(printer["payment_method"], "cash");
    let commits = env.commits().len();
    for _ in 0..2 {
        let stderr = env.run(&["import", "orders", &file]).stderr;
        assert!(stderr.contains("Nothing to change"), "{stderr}");
    }
    assert_eq!(env.commits().len(), commits);
    assert_eq!(record_with(&env, "orders/", "product: printer"), printer);
}

#[test]
fn identical_interaction_rows_are_distinct_interactions() {
    let env = TestEnv::with_basics();
    let file = source(
        &env,
        "calls.csv",
        "customer,at,channel,summary\n\
         acme-corp,2026-11-02 09:00,phone,Called about toner\n\
         acme-corp,2026-11-02 09:00,phone,Called about the printer\n",
    );
    let stderr = env.run(&["import", "interactions", &file]).stderr;
    assert!(stderr.contains("2 created, 0 updated"), "{stderr}");
    assert_eq!(files_in(&env, "interactions/").len(), 2);
    record_with(&env, "interactions/", "Called about toner");
    record_with(&env, "interactions/", "Called about the printer");
    let commits = env.commits().len();
    let stderr = env.run(&["import", "interactions", &file]).stderr;
    assert!(stderr.contains("Nothing to change"), "{stderr}");
    assert_eq!(env.commits().len(), commits);
}

const SKUS: &str = "id,name,price\nAB-1,Dash,1\nab_1,Underscore,2\nAB 1,Space,3\nÄB-1,Umlaut,4\n";

#[test]
fn skus_that_make_one_id_become_distinct_products_that_keep_their_sku() {
    let env = TestEnv::with_basics();
    let products = source(&env, "p.csv", SKUS);
    let out = env.run(&["import", "products", &products]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("4 created, 0 updated"),
        "{}",
        out.stderr
    );
    for (id, sku, name, price) in [
        ("ab-1", "AB-1", "Dash", 1),
        ("ab-1-2", "ab_1", "Underscore", 2),
        ("ab-1-3", "AB 1", "Space", 3),
        ("ab-1-4", "ÄB-1", "Umlaut", 4),
    ] {
        let product = env.yaml(&format!("products/{id}.yaml"));
        assert_eq!(product["external_id"], sku, "{id}");
        assert_eq!(product["name"], name, "{id}");
        assert_eq!(product["price"], price, "{id}");
    }
    assert!(
        out.stderr.contains(
            "Ids made distinct:\n  \
             product `ab_1` -> ab-1-2 (ab-1 is taken)\n  \
             product `AB 1` -> ab-1-3 (ab-1 is taken)\n  \
             product `ÄB-1` -> ab-1-4 (ab-1 is taken)\n"
        ),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("`AB-1`"),
        "its id is its SKU's: {}",
        out.stderr
    );

    let commits = env.commits().len();
    let stderr = env.run(&["import", "products", &products]).stderr;
    assert!(stderr.contains("Nothing to change"), "{stderr}");
    assert!(!stderr.contains("Ids made distinct"), "{stderr}");
    assert_eq!(env.commits().len(), commits);

    let order = source(
        &env,
        "o.csv",
        "customer,at,product\nacme-corp,2026-11-02,AB 1\n",
    );
    env.run(&["import", "orders", &order]).ok();
    let order = record_with(&env, "orders/", "ab-1-3");
    assert_eq!(order["lines"][0]["price"], 3, "`AB 1` is the Space product");
    assert_eq!(order["total"], 3);
}

#[test]
fn long_skus_that_share_a_beginning_are_distinct_products() {
    let env = TestEnv::new();
    let stem = "LONG-".repeat(13);
    let text = format!("sku,name,price\n{stem}A,First,1\n{stem}B,Second,2\n");
    let products = source(&env, "long.csv", &text);
    let stderr = env.run(&["import", "products", &products]).stderr;
    assert!(stderr.contains("2 created, 0 updated"), "{stderr}");
    let files = files_in(&env, "products/");
    assert_eq!(files.len(), 2, "{files:?}");
    let mut skus: Vec<String> = files
        .iter()
        .map(|f| env.yaml(f)["external_id"].as_str().unwrap().to_string())
        .collect();
    skus.sort();
    assert_eq!(skus, [format!("{stem}A"), format!("{stem}B")]);
    assert!(stderr.contains("Ids made distinct"), "{stderr}");
    let commits = env.commits().len();
    env.run(&["import", "products", &products]).ok();
    assert_eq!(env.commits().len(), commits);
}

#[test]
fn products_made_for_order_lines_and_customers_made_for_references_stay_apart() {
    let env = TestEnv::new();
    let file = source(
        &env,
        "sales.csv",
        "customer,at,product,price\n\
         C-1,2026-11-02,AB-1,1\n\
         c-1,2026-11-03,ab-1,2\n\
         C-1,2026-11-04,ab-1,2\n",
    );
    let args = [
        "import",
        "orders",
        file.as_str(),
        "--create-customers",
        "--create-products",
    ];
    let stderr = env.run(&args).stderr;
    assert!(stderr.contains("7 created, 0 updated"), "{stderr}");
    assert!(
        stderr.contains("  customer `c-1` -> c-1-2 (c-1 is taken)\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  product `ab-1` -> ab-1-2 (ab-1 is taken)\n"),
        "{stderr}"
    );
    assert_eq!(env.yaml("customers/c-1.yaml")["external_id"], "C-1");
    assert_eq!(env.yaml("customers/c-1-2.yaml")["external_id"], "c-1");
    assert_eq!(env.yaml("products/ab-1.yaml")["external_id"], "AB-1");
    assert_eq!(env.yaml("products/ab-1-2.yaml")["external_id"], "ab-1");
    let last = record_with(&env, "orders/", "2026-11-04");
    assert_eq!(last["customer"], "c-1", "`C-1` again is the first customer");
    assert_eq!(last["lines"][0]["product"], "ab-1-2");

    let commits = env.commits().len();
    let stderr = env.run(&args).stderr;
    assert!(stderr.contains("Nothing to change"), "{stderr}");
    assert_eq!(env.commits().len(), commits);
}

const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\n\
EMAIL:ana@example.com\r\nEMAIL:Ana.Lima@home.example\r\n\
TEL:+55 11 5555-0101\r\nTEL:+55 11 9999 0101\r\nEND:VCARD\r\n";

#[test]
fn a_vcard_adds_to_the_emails_and_phones_a_customer_has() {
    let env = TestEnv::new();
    env.run(&[
        "customer",
        "add",
        "Ana Lima",
        "--email",
        "ana@example.com",
        "--email",
        "ana.lima@home.example",
        "--phone",
        "+55 11 5555 0101",
        "--phone",
        "+55 21 7777 0101",
    ])
    .ok();
    let card = source(&env, "ana.vcf", CARD);
    let stderr = env.run(&["import", "vcard", &card]).stderr;
    assert!(stderr.contains("0 created, 1 updated"), "{stderr}");
    let ana = env.yaml("customers/ana-lima.yaml");
    assert_eq!(
        ana["emails"],
        yaml_list("[ana@example.com, ana.lima@home.example]"),
        "e-mails compare without case"
    );
    assert_eq!(
        ana["phones"],
        yaml_list("['+55 11 5555 0101', '+55 21 7777 0101', '+55 11 9999 0101']"),
        "the number the card lacks stays; one written differently is not repeated"
    );
    assert_eq!(env.last_commit_files(), ["customers/ana-lima.yaml"]);
    let commits = env.commits().len();
    env.run(&["import", "vcard", &card]).ok();
    assert_eq!(env.commits().len(), commits);

    // A CSV cell still replaces the list: an edited export re-imports as it reads.
    let csv = source(&env, "ana.csv", "id,phones\nana-lima,+55 11 9999 0101\n");
    env.run(&["import", "customers", &csv]).ok();
    assert_eq!(
        env.yaml("customers/ana-lima.yaml")["phones"],
        yaml_list("['+55 11 9999 0101']")
    );
}

/// An mbox of one message from Ana, sent at one moment with `message_id`.
fn message(message_id: &str, subject: &str) -> String {
    format!(
        "From ana@example.com Mon Nov  2 09:15:00 2026\nFrom: Ana <ana@example.com>\n\
         To: alice@team.example\nSubject: {subject}\nDate: Mon, 2 Nov 2026 10:15:00 +0100\n\
         Message-ID: <{message_id}>\n\nHello\n"
    )
}

#[test]
fn two_messages_of_one_moment_are_two_interactions() {
    let env = TestEnv::with_basics();
    let first = source(&env, "first.mbox", &message("a@example.com", "First"));
    env.run(&["import", "mail", &first]).ok();
    let second = source(&env, "second.mbox", &message("b@example.com", "Second"));
    let stderr = env.run(&["import", "mail", &second]).stderr;
    assert!(stderr.contains("1 created, 0 updated"), "{stderr}");
    assert_eq!(
        record_with(&env, "interactions/", "a@example.com")["summary"],
        "First"
    );
    assert_eq!(
        record_with(&env, "interactions/", "b@example.com")["summary"],
        "Second"
    );
}
