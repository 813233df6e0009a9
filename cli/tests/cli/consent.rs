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
