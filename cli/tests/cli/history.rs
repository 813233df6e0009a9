//! `relate history`: who changed which field of one record, and when.

use serde::Deserialize;

use crate::common::TestEnv;
use crate::team::run_as;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct RevisionJson {
    commit: String,
    at: String,
    by: String,
    message: String,
    changes: Vec<FieldChangeJson>,
}

/// A missing `old` or `new` means the field was absent on that side
/// (docs/collaboration.md), so a missing key is a `None` here, not an error.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct FieldChangeJson {
    field: String,
    old: Option<serde_json::Value>,
    new: Option<serde_json::Value>,
}

fn change(
    field: &str,
    old: Option<serde_json::Value>,
    new: Option<serde_json::Value>,
) -> FieldChangeJson {
    FieldChangeJson {
        field: field.into(),
        old,
        new,
    }
}

const ANA: &str = "Ana <ana@example.com>";
const BO: &str = "Bo <bo@example.com>";

#[test]
fn history_shows_each_field_change_with_who_and_when() {
    let env = TestEnv::new();
    run_as(
        &env,
        ANA,
        "2026-11-20T09:00:00Z",
        &["customer", "add", "Acme Corp", "--tag", "new"],
    )
    .ok();
    run_as(
        &env,
        BO,
        "2026-11-21T10:30:00+01:00",
        &[
            "customer",
            "set",
            "acme-corp",
            "region=EU",
            "fields.size=12",
        ],
    )
    .ok();
    run_as(
        &env,
        ANA,
        "2026-11-22T08:00:00Z",
        &[
            "customer",
            "set",
            "acme-corp",
            "region=US",
            "tags=vip",
            "fields.size=",
        ],
    )
    .ok();
    // A commit that does not touch the customer does not show.
    env.run(&["product", "add", "toner", "--name", "Toner", "--price", "5"])
        .ok();

    let revisions: Vec<RevisionJson> =
        serde_json::from_str(&env.run(&["history", "acme-corp", "--format", "json"]).ok()).unwrap();
    let summary: Vec<(&str, &str, &str)> = revisions
        .iter()
        .map(|r| (r.at.as_str(), r.by.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "2026-11-22T08:00:00Z",
                "Ana",
                "customer set: acme-corp region, tags, fields.size"
            ),
            (
                "2026-11-21T10:30:00+01:00",
                "Bo",
                "customer set: acme-corp region, fields.size"
            ),
            ("2026-11-20T09:00:00Z", "Ana", "customer add: acme-corp"),
        ]
    );
    assert!(revisions.iter().all(|r| r.commit.len() == 40));
    assert_eq!(
        revisions[0].changes,
        [
            change(
                "tags",
                Some(serde_json::json!(["new"])),
                Some(serde_json::json!(["vip"]))
            ),
            change("region", Some("EU".into()), Some("US".into())),
            change("fields.size", Some(12.into()), None),
        ]
    );
    assert_eq!(
        revisions[1].changes,
        [
            change("region", None, Some("EU".into())),
            change("fields.size", None, Some(12.into())),
        ]
    );
    let created: Vec<&str> = revisions[2]
        .changes
        .iter()
        .map(|c| c.field.as_str())
        .collect();
    assert_eq!(created, ["id", "name", "kind", "created", "tags"]);
    assert!(revisions[2].changes.iter().all(|c| c.old.is_none()));

    let table = env.run(&["history", "acme-corp"]).ok();
    let second_row = table.lines().nth(2).unwrap();
    let short = &revisions[0].commit[..8];
    assert_eq!(
        second_row.split_whitespace().collect::<Vec<_>>(),
        ["2026-11-22T08:00:00Z", "Ana", short, "region", "EU", "US"]
    );
}

#[test]
fn history_of_an_unknown_record_is_not_found() {
    let env = TestEnv::new();
    let stderr = env.run(&["history", "nobody"]).fails(3);
    assert!(stderr.contains("error: no record `nobody`"), "{stderr}");
    let stderr = env.run(&["history", "nobody", "--kind", "deal"]).fails(3);
    assert!(stderr.contains("error: no deal `nobody`"), "{stderr}");
}
