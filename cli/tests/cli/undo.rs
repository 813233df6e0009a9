//! `relate undo`: take back your last change with a new commit.

use crate::common::{NOW, TestEnv};
use crate::team::{ANA, BO, Team, run_as};

#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct UndoneJson {
    commit: String,
    message: String,
    files: Vec<String>,
}

const ACME: &str = "customers/acme-corp.yaml";
const ANA_AUTHOR: &str = "Ana <ana@example.com>";
const BO_AUTHOR: &str = "Bo <bo@example.com>";

/// The full message of the newest commit.
fn last_message(env: &TestEnv) -> String {
    let repo = git2::Repository::open(env.store()).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    head.message().unwrap().to_string()
}

fn head_id(env: &TestEnv) -> String {
    let repo = git2::Repository::open(env.store()).unwrap();
    repo.head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string()
}

#[test]
fn undo_takes_back_the_last_change_with_a_new_commit_and_goes_further_back() {
    let env = TestEnv::with_basics();
    let original = env.read(ACME);
    env.run(&["customer", "set", "acme-corp", "region=EU"]).ok();
    let with_region = env.read(ACME);
    env.run(&["customer", "set", "acme-corp", "source=fair"])
        .ok();
    let second = head_id(&env);
    let commits = env.commits().len();

    let run = env.run(&["undo"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "Undid `customer set: acme-corp source`.\n");
    assert_eq!(env.read(ACME), with_region);
    assert_eq!(
        env.commits().len(),
        commits + 1,
        "a new commit, history kept"
    );
    assert_eq!(
        last_message(&env),
        format!("undo: customer set: acme-corp source\n\nReverts: {second}\n")
    );

    let out = env.run(&["undo", "--format", "json"]).ok();
    let undone: UndoneJson = serde_json::from_str(&out).unwrap();
    assert_eq!(undone.message, "customer set: acme-corp region");
    assert_eq!(undone.files, [ACME]);
    assert_eq!(undone.commit.len(), 40);
    assert_eq!(env.read(ACME), original);
    assert!(!env.is_dirty());
}

#[test]
fn undoing_an_addition_removes_the_record() {
    let env = TestEnv::with_basics();
    env.run(&["customer", "add", "Beta Ltd"]).ok();
    env.run(&["undo"]).ok();
    assert!(!env.store().join("customers/beta-ltd.yaml").exists());
    assert_eq!(env.commits()[0], "undo: customer add: beta-ltd");
}

#[test]
fn undo_skips_other_authors_and_keeps_their_later_changes() {
    let env = TestEnv::with_basics();
    run_as(
        &env,
        ANA_AUTHOR,
        NOW,
        &["customer", "set", "acme-corp", "region=EU", "tags+=vip"],
    )
    .ok();
    run_as(
        &env,
        BO_AUTHOR,
        NOW,
        &[
            "customer",
            "set",
            "acme-corp",
            "owner=bo",
            "tags+=key",
            "region=US",
        ],
    )
    .ok();

    let run = run_as(&env, ANA_AUTHOR, NOW, &["undo"]);
    assert_eq!(
        run.stderr, "Undid `customer set: acme-corp region, tags`.\n",
        "{run:?}"
    );
    let customer = env.yaml(ACME);
    assert_eq!(
        customer["region"], "US",
        "Bo changed it since: his value stays"
    );
    assert_eq!(customer["owner"], "bo");
    assert_eq!(
        customer["tags"],
        serde_yaml::from_str::<serde_yaml::Value>("[key]").unwrap()
    );
    assert!(customer.get("conflicts").is_none());
    assert_eq!(env.run(&["check"]).ok(), "");

    let stderr = run_as(&env, "Cy <cy@example.com>", NOW, &["undo"]).fails(1);
    assert!(
        stderr.contains("error: nothing to undo: Cy <cy@example.com> has no change"),
        "{stderr}"
    );
}

#[test]
fn undo_refuses_over_uncommitted_hand_edits() {
    let env = TestEnv::with_basics();
    env.run(&["customer", "set", "acme-corp", "region=EU"]).ok();
    let edited = format!("{}source: fair\n", env.read(ACME));
    env.write(ACME, &edited);
    let commits = env.commits().len();
    let stderr = env.run(&["undo"]).fails(1);
    assert!(
        stderr.contains("error: customers/acme-corp.yaml has changes that are not committed"),
        "{stderr}"
    );
    assert_eq!(env.read(ACME), edited);
    assert_eq!(env.commits().len(), commits);
}

#[test]
fn undo_refuses_a_change_that_is_pushed_and_built_upon() {
    let team = Team::new(&[&ANA, &BO]);
    team.run(&ANA, &["customer", "set", "acme-corp", "region=EU"])
        .ok();
    team.run(&ANA, &["sync"]).ok();
    // Pushed, but nobody built on it yet: it can still be undone.
    team.run(&ANA, &["undo"]).ok();
    assert!(team.yaml(&ANA, ACME).get("region").is_none());
    team.run(&ANA, &["customer", "set", "acme-corp", "source=fair"])
        .ok();
    team.run(&ANA, &["sync"]).ok();
    team.run(&BO, &["sync"]).ok();
    team.run(&BO, &["customer", "set", "acme-corp", "owner=bo"])
        .ok();
    team.run(&BO, &["sync"]).ok();
    team.run(&ANA, &["sync"]).ok();

    let before = team.commits(&ANA);
    let stderr = team.run(&ANA, &["undo"]).fails(1);
    assert!(
        stderr.contains(
            "error: `customer set: acme-corp source` is already pushed and the team has built on it"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: change the records back with relate commands"),
        "{stderr}"
    );
    assert_eq!(team.commits(&ANA), before);
    assert_eq!(team.yaml(&ANA, ACME)["source"], "fair");
}
