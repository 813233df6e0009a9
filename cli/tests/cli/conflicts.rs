//! Recorded merge conflicts: `relate check` reports them, `relate conflicts`
//! lists them, `relate resolve` settles them.

use serde::Deserialize;

use crate::common::TestEnv;

/// A recorded conflict as the record file holds it: `value`, `by` and `at`
/// are absent when unknown (docs/format.md), and `current` when the field is
/// unset, so a missing key is a `None` here, not an error.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct ConflictJson {
    kind: String,
    id: String,
    current: Option<serde_json::Value>,
    field: String,
    value: Option<serde_json::Value>,
    by: Option<String>,
    at: Option<String>,
}

const ACME: &str = "customers/acme-corp.yaml";

/// acme-corp as a merge leaves it: region and an industry each lost a value.
fn with_conflicts() -> TestEnv {
    let env = TestEnv::with_basics();
    env.write(
        ACME,
        "id: acme-corp\nname: Acme Corp\nkind: organization\nemails:\n- info@acme.example\n\
         created: 2026-11-22\nregion: EU\nfields:\n  industry: retail\n\
         conflicts:\n\
         - field: region\n  value: US\n  by: Bo\n  at: 2026-11-21T09:00:00Z\n\
         - field: fields.industry\n  by: Cy\n",
    );
    env
}

#[test]
fn check_reports_each_recorded_conflict() {
    let env = with_conflicts();
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4);
    assert_eq!(
        run.stdout,
        "customers/acme-corp.yaml:10: unresolved conflict on `fields.industry`: the current value won over removing it by Cy; settle it with `relate resolve acme-corp fields.industry`\n\
         customers/acme-corp.yaml:10: unresolved conflict on `region`: the current value won over `US` by Bo at 2026-11-21T09:00:00Z; settle it with `relate resolve acme-corp region`\n"
    );
}

#[test]
fn conflicts_lists_current_and_other_values() {
    let env = with_conflicts();
    let listed: Vec<ConflictJson> =
        serde_json::from_str(&env.run(&["conflicts", "--format", "json"]).ok()).unwrap();
    assert_eq!(
        listed,
        [
            ConflictJson {
                kind: "customer".into(),
                id: "acme-corp".into(),
                current: Some("EU".into()),
                field: "region".into(),
                value: Some("US".into()),
                by: Some("Bo".into()),
                at: Some("2026-11-21T09:00:00Z".into()),
            },
            ConflictJson {
                kind: "customer".into(),
                id: "acme-corp".into(),
                current: Some("retail".into()),
                field: "fields.industry".into(),
                value: None,
                by: Some("Cy".into()),
                at: None,
            },
        ]
    );
    assert_eq!(
        env.run(&["conflicts"]).ok(),
        "kind      id         field            current  other  by  at\n\
         customer  acme-corp  region           EU       US     Bo  2026-11-21T09:00:00Z\n\
         customer  acme-corp  fields.industry  retail          Cy\n"
    );
    assert_eq!(
        TestEnv::with_basics()
            .run(&["conflicts", "--format", "json"])
            .ok(),
        "[]\n"
    );
}

#[test]
fn resolve_takes_theirs_ours_or_a_value_and_commits() {
    let env = with_conflicts();
    let run = env.run(&["resolve", "acme-corp", "region", "--take", "theirs"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stderr,
        "Resolved `region` of customer acme-corp: it is `US`.\n"
    );
    let customer = env.yaml(ACME);
    assert_eq!(customer["region"], "US");
    assert_eq!(customer["conflicts"].as_sequence().unwrap().len(), 1);
    assert_eq!(customer["conflicts"][0]["field"], "fields.industry");
    assert_eq!(env.commits()[0], "resolve: acme-corp region");
    assert_eq!(env.last_commit_files(), [ACME]);

    // The other side had removed the industry; keeping ours is the default.
    env.run(&["resolve", "acme-corp", "fields.industry"]).ok();
    assert_eq!(
        env.read(ACME),
        "id: acme-corp\nname: Acme Corp\nkind: organization\nemails:\n- info@acme.example\n\
         created: 2026-11-22\nregion: US\nfields:\n  industry: retail\n"
    );
    assert_eq!(env.run(&["check"]).ok(), "");

    let env = with_conflicts();
    env.run(&["resolve", "acme-corp", "region", "--take", "APAC"])
        .ok();
    env.run(&[
        "resolve",
        "acme-corp",
        "fields.industry",
        "--take",
        "theirs",
    ])
    .ok();
    let customer = env.yaml(ACME);
    assert_eq!(customer["region"], "APAC");
    assert!(
        customer.get("fields").is_none(),
        "taking theirs removed the industry"
    );
    assert!(customer.get("conflicts").is_none());
}

#[test]
fn resolve_refuses_what_it_cannot_settle_and_writes_nothing() {
    let env = with_conflicts();
    let before = env.read(ACME);
    let commits = env.commits().len();

    let stderr = env.run(&["resolve", "acme-corp", "owner"]).fails(3);
    assert!(
        stderr.contains("error: customer `acme-corp` has no recorded conflict on `owner`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: its conflicts are on: region, fields.industry"),
        "{stderr}"
    );

    let stderr = env.run(&["resolve", "nobody", "region"]).fails(3);
    assert!(stderr.contains("error: no record `nobody`"), "{stderr}");

    let stderr = env
        .run(&["resolve", "acme-corp", "region", "--take", "[a, b]"])
        .fails(2);
    assert!(
        stderr.contains("error: `region` cannot take that value"),
        "{stderr}"
    );

    env.write(
        ACME,
        &before.replace(
            "- field: fields.industry\n  by: Cy\n",
            "- field: region\n  value: APAC\n",
        ),
    );
    let stderr = env
        .run(&["resolve", "acme-corp", "region", "--take", "theirs"])
        .fails(2);
    assert!(
        stderr.contains("several other values are recorded for `region`: US, APAC"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: choose one with --take VALUE"),
        "{stderr}"
    );

    assert_eq!(env.commits().len(), commits);
    assert!(env.read(ACME).contains("value: APAC"));
}

#[test]
fn an_id_shared_by_two_kinds_needs_kind() {
    let env = with_conflicts();
    env.run(&["customer", "add", "Toner People", "--id", "toner"])
        .ok();
    let stderr = env.run(&["history", "toner"]).fails(2);
    assert!(
        stderr.contains("error: `toner` is the id of a customer and of a product"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: say which with --kind"), "{stderr}");
    let out = env
        .run(&["history", "toner", "--kind", "product", "--format", "json"])
        .ok();
    assert!(
        out.contains("\"message\": \"product add: toner (Toner A4)\""),
        "{out}"
    );
}
