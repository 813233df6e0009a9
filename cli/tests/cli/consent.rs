//! `relate consent`: append-only consent events, one commit each, and the
//! refusals that keep the list append-only.

use serde::Deserialize;

use crate::common::TestEnv;

/// One line of `relate --format json consent ID`.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Line {
    channel: String,
    purpose: String,
    state: String,
    at: Option<String>,
    source: Option<String>,
    in_force: bool,
    may_contact: Option<bool>,
}

#[test]
fn grant_and_withdraw_append_events_one_commit_each() {
    let env = TestEnv::with_basics();
    let out = env
        .run(&[
            "consent",
            "acme",
            "grant",
            "--channel",
            "email",
            "--at",
            "2026-03-01",
            "--source",
            "form",
        ])
        .ok();
    assert_eq!(out, "", "nothing on stdout");
    assert_eq!(
        env.commits()[0],
        "consent: acme-corp email marketing granted"
    );
    env.run(&[
        "consent",
        "acme-corp",
        "withdraw",
        "--channel",
        "email",
        "--at",
        "2026-10-01",
    ])
    .ok();
    assert_eq!(
        env.commits()[0],
        "consent: acme-corp email marketing withdrawn"
    );
    assert_eq!(env.last_commit_files(), ["customers/acme-corp.yaml"]);
    assert_eq!(env.git_status(), "");
    assert!(
        env.read("customers/acme-corp.yaml").ends_with(
            "consent:\n- channel: email\n  purpose: marketing\n  state: granted\n  at: 2026-03-01T00:00:00Z\n  source: form\n- channel: email\n  purpose: marketing\n  state: withdrawn\n  at: 2026-10-01T00:00:00Z\n"
        ),
        "{}",
        env.read("customers/acme-corp.yaml")
    );
    let lines: Vec<Line> = env.json(&["consent", "acme-corp"]);
    let email: Vec<&Line> = lines.iter().filter(|l| l.channel == "email").collect();
    assert_eq!(
        email,
        [
            &Line {
                channel: "email".into(),
                purpose: "marketing".into(),
                state: "granted".into(),
                at: Some("2026-03-01T00:00:00Z".into()),
                source: Some("form".into()),
                in_force: false,
                may_contact: None,
            },
            &Line {
                channel: "email".into(),
                purpose: "marketing".into(),
                state: "withdrawn".into(),
                at: Some("2026-10-01T00:00:00Z".into()),
                source: None,
                in_force: true,
                may_contact: Some(false),
            },
        ]
    );
    let by = |channel: &str| lines.iter().find(|l| l.channel == channel).unwrap();
    assert_eq!(
        (by("sms").state.as_str(), by("sms").may_contact),
        ("no answer", Some(false))
    );
    assert_eq!(by("letter").may_contact, Some(true));
    let csv = env.run(&["--format", "csv", "consent", "acme-corp"]).ok();
    assert!(
        csv.starts_with("channel,purpose,state,at,source,in_force,may_contact\n"),
        "{csv}"
    );
    assert!(
        csv.contains("email,marketing,withdrawn,2026-10-01T00:00:00Z,,yes,no\n"),
        "{csv}"
    );
}

#[test]
fn bad_consent_writes_nothing() {
    let env = TestEnv::with_basics();
    let head = env.head();
    let before = env.read("customers/acme-corp.yaml");
    let unknown = env
        .run(&["consent", "acme-corp", "grant", "--channel", "pigeon"])
        .fails(2);
    assert!(unknown.contains("unknown channel `pigeon`"), "{unknown}");
    let future = env
        .run(&[
            "consent",
            "acme-corp",
            "grant",
            "--channel",
            "email",
            "--at",
            "2027-01-01",
        ])
        .fails(2);
    assert!(future.contains("is in the future"), "{future}");
    env.run(&["consent", "acme-corp", "grant"]).fails(2);
    env.run(&["consent", "nobody", "grant", "--channel", "email"])
        .fails(3);
    let set = env
        .run(&["customer", "set", "acme-corp", "consent=granted"])
        .fails(1);
    assert!(
        set.contains("`consent` of customer `acme-corp` is append-only"),
        "{set}"
    );
    assert!(
        set.contains("hint: record what the customer says now with `relate consent acme-corp"),
        "{set}"
    );
    assert_eq!(env.head(), head);
    assert_eq!(env.read("customers/acme-corp.yaml"), before);
    assert_eq!(env.git_status(), "");
}

#[test]
fn an_edit_that_rewrites_consent_is_refused() {
    let env = TestEnv::with_basics();
    env.run(&["consent", "acme-corp", "withdraw", "--channel", "email"])
        .ok();
    let head = env.head();
    let before = env.read("customers/acme-corp.yaml");
    let edited = env
        .command()
        .env("EDITOR", "sed -i s/withdrawn/granted/")
        .args(["edit", "acme-corp"])
        .output()
        .unwrap();
    assert_eq!(edited.status.code(), Some(1), "{edited:?}");
    assert!(String::from_utf8_lossy(&edited.stderr).contains("append-only"));
    assert_eq!(env.head(), head);
    assert_eq!(env.read("customers/acme-corp.yaml"), before);
}

#[test]
fn an_unknown_state_in_the_file_is_invalid_data() {
    let env = TestEnv::with_basics();
    let path = "customers/acme-corp.yaml";
    let text =
        env.read(path) + "consent:\n- channel: email\n  state: maybe\n  at: 2026-10-01T00:00:00Z\n";
    env.write(path, &text);
    let stderr = env.run(&["consent", "acme-corp"]).fails(4);
    assert!(stderr.contains("customers/acme-corp.yaml:"), "{stderr}");
    assert!(stderr.contains("maybe"), "{stderr}");
}

/// The basics in the EU with bob and cid: ana-lima withdrew from e-mail
/// marketing on 2026-10-01, bob granted it, acme-corp and cid never answered.
fn eu_store() -> TestEnv {
    let env = TestEnv::with_basics();
    for name in ["Bob", "Cid"] {
        env.created(&["customer", "add", name]);
    }
    for customer in ["acme-corp", "ana-lima", "bob", "cid"] {
        let args = [
            "customer",
            "set",
            customer,
            "region=EU",
            "created=2026-01-01",
        ];
        env.run(&args).ok();
    }
    let consent = |customer: &str, state: &str, at: &str| {
        let args = ["consent", customer, state, "--channel", "email", "--at", at];
        env.run(&args).ok();
    };
    consent("ana-lima", "grant", "2026-03-01");
    consent("ana-lima", "withdraw", "2026-10-01");
    consent("bob", "grant", "2026-05-01");
    env
}

/// `campaign show --format json`'s exclusions.
#[derive(Debug, Deserialize)]
struct Launched {
    members: Vec<String>,
    excluded: Vec<Exclusion>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Exclusion {
    customer: String,
    reason: String,
}

#[test]
fn a_launch_leaves_out_members_without_consent_and_says_who() {
    let env = eu_store();
    env.plan_autumn_campaign(r#"region = "EU""#);
    let stderr = env.run(&["campaign", "launch", "autumn"]).stderr;
    assert_eq!(
        stderr,
        "autumn launched with 1 member.\n\
         3 left out for want of consent on email: acme-corp (no answer (email needs a grant)), \
         ana-lima (withdrawn 2026-10-01), cid (no answer (email needs a grant)); \
         `relate campaign show autumn` lists them.\n"
    );
    assert_eq!(
        env.commits()[0],
        "campaign launch: autumn (1 members, 3 excluded)"
    );
    assert_eq!(env.last_commit_files(), ["campaigns/autumn.yaml"]);
    assert!(
        env.read("campaigns/autumn.yaml").ends_with(
            "members:\n- bob\nexcluded:\n\
             - customer: acme-corp\n  reason: no answer (email needs a grant)\n\
             - customer: ana-lima\n  reason: withdrawn 2026-10-01\n\
             - customer: cid\n  reason: no answer (email needs a grant)\n"
        ),
        "{}",
        env.read("campaigns/autumn.yaml")
    );
    let shown: Launched = env.json(&["campaign", "show", "autumn"]);
    assert_eq!(shown.members, ["bob"]);
    assert_eq!(
        shown.excluded[1],
        Exclusion {
            customer: "ana-lima".into(),
            reason: "withdrawn 2026-10-01".into()
        }
    );
    let table = env.run(&["campaign", "show", "autumn"]).ok();
    assert!(
        table.contains("excluded   reason\nacme-corp  no answer (email needs a grant)\nana-lima   withdrawn 2026-10-01\n"),
        "{table}"
    );
    env.run(&["check"]).ok();
    // A letter needs no grant: only the withdrawal would keep one out.
    let letter = env.created(&[
        "campaign",
        "new",
        "Letter",
        "--channel",
        "letter",
        "--where",
        r#"region = "EU""#,
    ]);
    let stderr = env.run(&["campaign", "launch", &letter]).stderr;
    assert_eq!(stderr, "letter launched with 4 members.\n");
}

#[test]
fn a_marketing_contact_after_a_withdrawal_is_refused_unless_overridden() {
    let env = eu_store();
    env.plan_autumn_campaign(r#"id = "bob""#);
    let (files, head) = (env.files(), env.head());
    let log = |extra: &[&str]| {
        let base = [
            "log",
            "ana-lima",
            "--channel",
            "email",
            "--summary",
            "Offer",
        ];
        env.run(&[&base[..], extra].concat())
    };
    let stderr = log(&["--purpose", "marketing"]).fails(1);
    assert_eq!(
        stderr,
        "error: `ana-lima` withdrew consent to marketing by email on 2026-10-01\n\
         hint: see `relate consent ana-lima`; if the contact had another basis, log it with --override-consent\n"
    );
    // A contact in a campaign is marketing unless said otherwise.
    log(&["--campaign", "autumn"]).fails(1);
    assert_eq!(
        (env.files(), env.head()),
        (files.clone(), head),
        "nothing written"
    );
    // Before the withdrawal, what the customer says, and other purposes pass.
    log(&["--purpose", "marketing", "--at", "2026-09-30"]).ok();
    log(&["--purpose", "marketing", "--direction", "inbound"]).ok();
    log(&["--purpose", "sales"]).ok();
    log(&["--purpose", "marketing", "--override-consent"]).ok();
    assert_eq!(env.commits()[0], "log: e-mail with ana-lima");
    assert_eq!(env.files().len(), files.len() + 4);
    // No answer is not refused when logging: the contact may rest on another basis.
    let cid = [
        "log",
        "cid",
        "--channel",
        "email",
        "--purpose",
        "marketing",
        "--summary",
        "x",
    ];
    env.run(&cid).ok();
    assert_eq!(env.files().len(), files.len() + 5);
}

#[test]
fn agenda_and_recommend_never_propose_marketing_that_consent_forbids() {
    let env = eu_store();
    for (customer, channel) in [("ana-lima", "email"), ("bob", "email"), ("cid", "letter")] {
        let args = [
            "log",
            customer,
            "--channel",
            channel,
            "--purpose",
            "marketing",
            "--summary",
            "Offer",
            "--follow-up",
            "2026-11-25",
            "--override-consent",
        ];
        env.run(&args).ok();
    }
    #[derive(Deserialize)]
    struct Item {
        customer: String,
        kind: String,
    }
    let items: Vec<Item> = env.json(&["agenda", "--days", "7"]);
    let follow_ups: Vec<&str> = (items.iter())
        .filter(|i| i.kind == "follow_up")
        .map(|i| i.customer.as_str())
        .collect();
    assert_eq!(follow_ups, ["bob", "cid"], "ana-lima withdrew from e-mail");
    let run = env.run(&["recommend", "ana-lima"]);
    assert_eq!(
        run.stderr,
        "Consent forbids offering these to ana-lima by email (withdrawn 2026-10-01), \
         sms (no answer (sms needs a grant)).\n"
    );
}

#[test]
fn report_consent_counts_each_channel() {
    let env = eu_store();
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Row {
        channel: String,
        purpose: String,
        granted: u64,
        withdrawn: u64,
        no_answer: u64,
        needs_grant: bool,
        may_contact: u64,
    }
    let rows: Vec<Row> = env.json(&["report", "consent"]);
    let email = rows.iter().find(|r| r.channel == "email").unwrap();
    assert_eq!(
        (
            email.granted,
            email.withdrawn,
            email.no_answer,
            email.may_contact
        ),
        (1, 1, 2, 1)
    );
    assert!(email.needs_grant && email.purpose == "marketing");
    let phone = rows.iter().find(|r| r.channel == "phone").unwrap();
    assert_eq!(
        (phone.no_answer, phone.may_contact, phone.needs_grant),
        (4, 4, false)
    );
    // As of a day before the withdrawal, ana-lima had granted it.
    let before: Vec<Row> = env.json(&["report", "consent", "--as-of", "2026-09-30"]);
    let email = before.iter().find(|r| r.channel == "email").unwrap();
    assert_eq!(email.granted, 2);
    let csv = env.run(&["--format", "csv", "report", "consent"]).ok();
    assert!(
        csv.starts_with("channel,purpose,granted,withdrawn,no_answer,needs_grant,may_contact\n"),
        "{csv}"
    );
    assert!(csv.contains("\nemail,marketing,1,1,2,yes,1\n"), "{csv}");
}

#[test]
fn an_import_records_consent_from_its_columns() {
    let env = eu_store();
    env.write(
        "../crm.csv",
        "name,email,consent.email,consent.sms\n\
         Dee,dee@example.com,yes,no\n\
         Eve,eve@example.com,,\n\
         Bob,bob@example.com,maybe,\n",
    );
    let path = env.path().join("crm.csv");
    let path = path.to_str().unwrap();
    let run = env.run(&["import", "customers", path, "--skip-invalid"]);
    let stderr = run.stderr;
    assert_eq!(run.code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "crm.csv:4: consent.email: `maybe` is neither yes (granted) nor no (withdrawn)"
        ),
        "{stderr}"
    );
    let dee = env.read("customers/dee.yaml");
    assert!(
        dee.ends_with(
            "consent:\n\
             - channel: email\n  purpose: marketing\n  state: granted\n  at: 2026-11-22T10:15:00Z\n  source: import:crm.csv\n\
             - channel: sms\n  purpose: marketing\n  state: withdrawn\n  at: 2026-11-22T10:15:00Z\n  source: import:crm.csv\n"
        ),
        "{dee}"
    );
    assert!(
        !env.read("customers/eve.yaml").contains("consent"),
        "an empty cell says nothing"
    );
    // The same answers again add nothing.
    let head = env.head();
    env.run(&["import", "customers", path, "--skip-invalid"])
        .ok();
    assert_eq!(env.head(), head);
}
