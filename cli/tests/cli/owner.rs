//! The team in relate.yaml: `relate owner add|list|remove`.

use serde::Deserialize;

use crate::common::{AUTHOR_EMAIL, TestEnv};

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct OwnerJson {
    id: String,
    name: String,
    email: Option<String>,
}

#[test]
fn init_offers_the_acting_person_as_the_first_owner() {
    let env = TestEnv::empty();
    let stderr = env.run(&["init", "store"]).fails(0);
    assert!(
        stderr.contains(&format!(
            "Name the team, starting with you: relate owner add test --name 'Test User' --email {AUTHOR_EMAIL}\n"
        )),
        "{stderr}"
    );
}

#[test]
fn add_rewrites_only_the_owners_block_in_one_commit() {
    let env = TestEnv::with_basics();
    let before = env.read("relate.yaml");
    let id = env.created(&[
        "owner",
        "add",
        "alice",
        "--name",
        "Alice Martin",
        "--email",
        "alice@acme.example",
    ]);
    assert_eq!(id, "alice");
    let after = env.read("relate.yaml");
    assert_eq!(
        after,
        before.replace(
            "owners: []\n",
            "owners:\n- id: alice\n  name: Alice Martin\n  email: alice@acme.example\n"
        )
    );
    assert_eq!(env.commits()[0], "owner add: alice");
    assert_eq!(env.last_commit_files(), ["relate.yaml"]);
    assert!(!env.is_dirty());
    env.created(&["owner", "add", "bob", "--name", "Bob"]);
    let owners: Vec<OwnerJson> = env.json(&["owner", "list"]);
    let ids: Vec<&str> = owners.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["alice", "bob"]);
    assert_eq!(owners[1].email, None);
    // A taken id changes nothing.
    let head = env.head();
    env.run(&["owner", "add", "bob", "--name", "Bob Again"])
        .fails(1);
    assert_eq!(env.head(), head);
}

#[test]
fn the_first_owner_waits_for_the_owners_records_already_name() {
    let env = TestEnv::with_basics();
    env.run(&["customer", "set", "acme-corp", "owner=bob"]).ok();
    let head = env.head();
    let before = env.read("relate.yaml");
    let stderr = env
        .run(&["owner", "add", "alice", "--name", "Alice"])
        .fails(1);
    assert!(
        stderr.contains("records name owners that the new list would not have: `bob` (1 record: customer acme-corp)"),
        "{stderr}"
    );
    assert!(stderr.contains("--add-missing"), "{stderr}");
    assert_eq!((env.head(), env.read("relate.yaml")), (head, before));
    let run = env.run(&["owner", "add", "alice", "--name", "Alice", "--add-missing"]);
    assert!(run.stderr.contains("Added `bob` too"), "{}", run.stderr);
    run.ok();
    let owners: Vec<OwnerJson> = env.json(&["owner", "list"]);
    assert_eq!(
        owners[1],
        OwnerJson {
            id: "bob".into(),
            name: "bob".into(),
            email: None
        }
    );
    // Now the list binds: a typo is refused with a suggestion.
    let stderr = env
        .run(&["customer", "set", "ana-lima", "owner=alcie"])
        .fails(2);
    assert!(
        stderr.contains("unknown owner `alcie`: did you mean `alice`?"),
        "{stderr}"
    );
}

#[test]
fn remove_waits_until_no_record_names_the_owner() {
    let env = TestEnv::with_basics();
    env.created(&["owner", "add", "alice", "--name", "Alice"]);
    env.created(&["owner", "add", "bob", "--name", "Bob"]);
    env.run(&["customer", "set", "acme-corp", "owner=bob"]).ok();
    let head = env.head();
    let stderr = env.run(&["owner", "remove", "bob"]).fails(1);
    assert!(
        stderr.contains("owner `bob` is named by 1 record: customer acme-corp"),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    let stderr = env.run(&["owner", "remove", "bobb"]).fails(3);
    assert!(stderr.contains("did you mean `bob`?"), "{stderr}");
    env.run(&["customer", "set", "acme-corp", "owner=alice"])
        .ok();
    env.run(&["owner", "remove", "bob"]).ok();
    assert_eq!(env.commits()[0], "owner remove: bob");
    assert_eq!(env.last_commit_files(), ["relate.yaml"]);
    let owners: Vec<OwnerJson> = env.json(&["owner", "list"]);
    assert_eq!(owners.len(), 1);
}
