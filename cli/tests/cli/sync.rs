//! `relate sync`, `relate clone` and the merge driver, with a bare remote and
//! clones on local paths.

use serde::Deserialize;

use crate::team::{ANA, BO, CY, Member, Team};

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SyncJson {
    remote: String,
    branch: String,
    committed: Vec<String>,
    incoming: Vec<ChangeJson>,
    outgoing: Vec<ChangeJson>,
    conflicts: Vec<ConflictJson>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct ChangeJson {
    kind: String,
    id: String,
    change: String,
    by: Vec<String>,
}

/// A recorded conflict as the record file holds it: `value`, `by` and `at`
/// are absent when unknown (docs/format.md), so a missing key is a `None`.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct ConflictJson {
    kind: String,
    id: String,
    field: String,
    value: Option<serde_json::Value>,
    by: Option<String>,
    at: Option<String>,
}

fn change(id: &str, change: &str, by: &[&str]) -> ChangeJson {
    ChangeJson {
        kind: "customer".into(),
        id: id.into(),
        change: change.into(),
        by: by.iter().map(|b| b.to_string()).collect(),
    }
}

pub fn sync(team: &Team, member: &Member) -> SyncJson {
    serde_json::from_str(&team.run(member, &["sync", "--format", "json"]).ok()).unwrap()
}

const ACME: &str = "customers/acme-corp.yaml";
const EARLY: &str = "2026-11-22T09:00:00Z";
const LATE: &str = "2026-11-22T11:00:00Z";

#[test]
fn changes_to_different_fields_of_one_customer_are_both_kept() {
    let team = Team::new(&[&ANA, &BO]);
    team.run(
        &ANA,
        &["customer", "set", "acme-corp", "region=EU", "tags+=vip"],
    )
    .ok();
    team.run(
        &BO,
        &["customer", "set", "acme-corp", "source=fair", "tags+=key"],
    )
    .ok();

    let out = sync(&team, &ANA);
    assert_eq!(
        (out.remote.as_str(), out.branch.as_str()),
        ("origin", "main")
    );
    assert!(out.incoming.is_empty() && out.committed.is_empty());
    assert_eq!(out.outgoing, [change("acme-corp", "changed", &["Ana"])]);

    let out = sync(&team, &BO);
    assert_eq!(out.incoming, [change("acme-corp", "changed", &["Ana"])]);
    assert_eq!(out.outgoing, [change("acme-corp", "changed", &["Bo"])]);
    assert!(out.conflicts.is_empty());
    assert_eq!(team.commits(&BO)[0], "sync: merge origin/main");

    team.run(&ANA, &["sync"]).ok();
    let customer = team.yaml(&BO, ACME);
    assert_eq!(customer["region"], "EU");
    assert_eq!(customer["source"], "fair");
    // Bo merged: his list first, then what Ana added.
    assert_eq!(
        customer["tags"],
        serde_yaml::from_str::<serde_yaml::Value>("[key, vip]").unwrap()
    );
    assert!(customer.get("conflicts").is_none());
    assert_eq!(team.read(&ANA, ACME), team.read(&BO, ACME));
    assert_eq!(team.run(&BO, &["check"]).ok(), "");
    assert!(team.is_clean(&ANA) && team.is_clean(&BO));
}

#[test]
fn the_same_field_changed_on_two_clones_keeps_both_values() {
    let team = Team::new(&[&ANA, &BO]);
    team.run(&ANA, &["customer", "add", "Beta Ltd"]).ok();
    team.run(&ANA, &["sync"]).ok();
    team.run(&BO, &["sync"]).ok();
    // acme-corp: Ana's change is the later one; beta-ltd: Bo's.
    team.run_at(&ANA, LATE, &["customer", "set", "acme-corp", "region=EU"])
        .ok();
    team.run_at(&ANA, EARLY, &["customer", "set", "beta-ltd", "region=EU"])
        .ok();
    team.run_at(&BO, EARLY, &["customer", "set", "acme-corp", "region=US"])
        .ok();
    team.run_at(&BO, LATE, &["customer", "set", "beta-ltd", "region=US"])
        .ok();
    team.run(&ANA, &["sync"]).ok();

    let out = sync(&team, &BO);
    let recorded = |id: &str, value: &str, by: &str| ConflictJson {
        kind: "customer".into(),
        id: id.into(),
        field: "region".into(),
        value: Some(value.into()),
        by: Some(by.into()),
        at: Some(EARLY.into()),
    };
    assert_eq!(
        out.conflicts,
        [
            recorded("acme-corp", "US", "Bo"),
            recorded("beta-ltd", "EU", "Ana")
        ]
    );
    let acme = team.yaml(&BO, ACME);
    assert_eq!(acme["region"], "EU", "Ana's later change is current");
    assert_eq!(
        acme["conflicts"],
        serde_yaml::from_str::<serde_yaml::Value>(
            "[{field: region, value: US, by: Bo, at: '2026-11-22T09:00:00Z'}]"
        )
        .unwrap()
    );
    assert_eq!(team.yaml(&BO, "customers/beta-ltd.yaml")["region"], "US");
    assert!(!team.read(&BO, ACME).contains("<<<<<<<"));
    team.run(&ANA, &["sync"]).ok();
    assert_eq!(team.read(&ANA, ACME), team.read(&BO, ACME));
}

#[test]
fn new_interactions_from_every_side_all_arrive() {
    let team = Team::new(&[&ANA, &BO, &CY]);
    let mut ids = Vec::new();
    for (member, count) in [(&ANA, 2), (&BO, 2), (&CY, 1)] {
        for n in 0..count {
            let summary = format!("{} call {n}", member.name);
            let id = team
                .run(
                    member,
                    &[
                        "log",
                        "acme-corp",
                        "--channel",
                        "phone",
                        "--summary",
                        &summary,
                    ],
                )
                .ok();
            ids.push(format!("2026/11/{}.yaml", id.trim()));
        }
    }
    for member in [&ANA, &BO, &CY, &ANA, &BO] {
        team.run(member, &["sync"]).ok();
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "five distinct interactions");
    for member in [&ANA, &BO, &CY] {
        assert_eq!(
            team.record_files(member, "interactions"),
            ids,
            "{}",
            member.name
        );
        assert!(team.is_clean(member));
    }
    let summaries: Vec<String> = ids
        .iter()
        .map(|rel| {
            team.yaml(&CY, &format!("interactions/{rel}"))["summary"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for expected in [
        "Ana call 0",
        "Ana call 1",
        "Bo call 0",
        "Bo call 1",
        "Cy call 0",
    ] {
        assert!(
            summaries.iter().any(|s| s == expected),
            "{expected} in {summaries:?}"
        );
    }
}

/// A stage move in a deal's history, as in the file: `by` is absent when
/// unknown, so a missing key is a `None` here, not an error.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct MoveJson {
    stage: String,
    at: String,
    by: Option<String>,
}

#[test]
fn a_deal_advanced_on_two_clones_keeps_both_moves() {
    let team = Team::new(&[&ANA, &BO]);
    let deal = team
        .run(&ANA, &["deal", "new", "acme-corp", "--title", "Printers"])
        .ok();
    let deal = deal.trim();
    team.run(&ANA, &["sync"]).ok();
    team.run(&BO, &["sync"]).ok();
    team.run(&ANA, &["deal", "advance", deal, "--at", "2026-11-23"])
        .ok();
    team.run(
        &BO,
        &[
            "deal",
            "advance",
            deal,
            "--to",
            "proposal",
            "--at",
            "2026-11-24",
        ],
    )
    .ok();
    for member in [&ANA, &BO, &ANA] {
        team.run(member, &["sync"]).ok();
    }
    let moves = |stage: &str, at: &str, by: &str| MoveJson {
        stage: stage.into(),
        at: at.into(),
        by: Some(by.into()),
    };
    for member in [&ANA, &BO] {
        let shown: serde_json::Value = serde_json::from_str(
            &team
                .run(member, &["deal", "show", deal, "--format", "json"])
                .ok(),
        )
        .unwrap();
        let history: Vec<MoveJson> = serde_json::from_value(shown["history"].clone()).unwrap();
        assert_eq!(
            history,
            [
                moves("qualification", "2026-11-22", "Ana"),
                moves("needs_analysis", "2026-11-23", "Ana"),
                moves("proposal", "2026-11-24", "Bo"),
            ]
        );
        assert_eq!(shown["stage"], "proposal");
        assert!(shown.get("conflicts").is_none(), "{shown}");
        assert_eq!(team.run(member, &["check"]).ok(), "");
    }
}

#[test]
fn a_plain_git_pull_merges_records_field_by_field() {
    let team = Team::new(&[&ANA, &BO]);
    team.run_at(
        &ANA,
        LATE,
        &["customer", "set", "acme-corp", "region=EU", "owner=ana"],
    )
    .ok();
    team.run(&ANA, &["sync"]).ok();
    team.run_at(
        &BO,
        EARLY,
        &["customer", "set", "acme-corp", "source=fair", "owner=bo"],
    )
    .ok();

    team.git(&BO, &["pull", "--quiet", "--no-rebase", "--no-edit"]);
    let customer = team.yaml(&BO, ACME);
    assert_eq!(customer["region"], "EU");
    assert_eq!(customer["source"], "fair");
    assert_eq!(customer["owner"], "ana", "the later change");
    assert_eq!(customer["conflicts"][0]["value"], "bo");
    assert_eq!(customer["conflicts"][0]["by"], "Bo");
    let parents = team.git(&BO, &["log", "-1", "--format=%P"]);
    assert_eq!(parents.split_whitespace().count(), 2, "a merge commit");
    assert!(team.is_clean(&BO));
}

#[test]
fn any_relate_command_sets_up_the_driver_in_a_plain_git_clone() {
    let team = Team::new(&[&ANA]);
    let dee = Member {
        dir: "dee",
        name: "Dee",
        seed: "4",
    };
    team.git_command(std::path::Path::new("."))
        .args(["clone", "--quiet", "remote.git", "dee"])
        .status()
        .unwrap();
    let driver = || {
        team.git_command(&team.dir(&dee))
            .args(["config", "--local", "--get", "merge.relate.driver"])
            .output()
            .unwrap()
    };
    assert!(
        !driver().status.success(),
        "git clone alone knows no driver"
    );
    team.run(&dee, &["customer", "list"]).ok();
    let configured = String::from_utf8(driver().stdout).unwrap();
    assert!(
        configured.ends_with(" merge-driver %O %A %B %P\n"),
        "{configured}"
    );

    team.run(&ANA, &["customer", "set", "acme-corp", "tags+=a"])
        .ok();
    team.run(&ANA, &["sync"]).ok();
    team.run(&dee, &["customer", "set", "acme-corp", "tags+=d"])
        .ok();
    team.git(&dee, &["pull", "--quiet", "--no-rebase", "--no-edit"]);
    assert_eq!(
        team.yaml(&dee, ACME)["tags"],
        serde_yaml::from_str::<serde_yaml::Value>("[d, a]").unwrap()
    );
}

#[test]
fn one_slug_created_on_two_clones_ends_as_one_merged_record() {
    let team = Team::new(&[&ANA, &BO]);
    team.run(
        &ANA,
        &["customer", "add", "Zeta Ltd", "--email", "ana@zeta.example"],
    )
    .ok();
    team.run(
        &BO,
        &[
            "customer",
            "add",
            "Zeta Ltd",
            "--email",
            "bo@zeta.example",
            "--tag",
            "new",
        ],
    )
    .ok();
    team.run(&ANA, &["sync"]).ok();
    team.run(&BO, &["sync"]).ok();
    assert_eq!(
        team.read(&BO, "customers/zeta-ltd.yaml"),
        "id: zeta-ltd\nname: Zeta Ltd\nkind: organization\nemails:\n- bo@zeta.example\n- ana@zeta.example\n\
         created: 2026-11-22\ntags:\n- new\n"
    );
    assert_eq!(
        team.record_files(&BO, "customers"),
        ["acme-corp.yaml", "zeta-ltd.yaml"]
    );
}

#[test]
fn a_record_changed_on_one_side_and_deleted_on_the_other_is_kept() {
    let team = Team::new(&[&ANA, &BO]);
    std::fs::remove_file(team.dir(&ANA).join(ACME)).unwrap();
    let out = sync(&team, &ANA);
    assert_eq!(out.committed, [ACME]);
    assert_eq!(out.outgoing, [change("acme-corp", "removed", &["Ana"])]);
    team.run(&BO, &["customer", "set", "acme-corp", "region=EU"])
        .ok();
    team.run(&BO, &["sync"]).ok();
    assert_eq!(team.yaml(&BO, ACME)["region"], "EU");
    team.run(&ANA, &["sync"]).ok();
    assert_eq!(team.yaml(&ANA, ACME)["region"], "EU");
    assert!(team.is_clean(&ANA) && team.is_clean(&BO));
}

#[test]
fn sync_commits_hand_edits_first() {
    let team = Team::new(&[&ANA, &BO]);
    let text = team.read(&ANA, ACME);
    team.write(&ANA, ACME, &format!("{text}region: EU\n"));
    let out = sync(&team, &ANA);
    assert_eq!(out.committed, [ACME]);
    assert_eq!(team.commits(&ANA)[0], "sync: commit changes made by hand");
    assert!(team.is_clean(&ANA));
    team.run(&BO, &["sync"]).ok();
    assert_eq!(team.yaml(&BO, ACME)["region"], "EU");
}

#[test]
fn sync_refuses_hand_edits_that_do_not_parse_and_changes_nothing() {
    let team = Team::new(&[&ANA]);
    team.write(&ANA, ACME, "id: acme-corp\nname: [broken\n");
    let before = team.commits(&ANA);
    let stderr = team.run(&ANA, &["sync"]).fails(4);
    assert!(
        stderr.contains("error: customers/acme-corp.yaml:"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was committed or sent"), "{stderr}");
    assert_eq!(team.commits(&ANA), before);
    assert_eq!(team.read(&ANA, ACME), "id: acme-corp\nname: [broken\n");
}

#[test]
fn sync_against_an_unreachable_remote_loses_nothing() {
    let team = Team::new(&[&ANA]);
    let id = team
        .run(
            &ANA,
            &[
                "log",
                "acme-corp",
                "--channel",
                "phone",
                "--summary",
                "Call",
            ],
        )
        .ok();
    let text = team.read(&ANA, ACME);
    team.write(&ANA, ACME, &format!("{text}region: EU\n"));
    team.git(&ANA, &["remote", "set-url", "origin", "../nowhere.git"]);

    let stderr = team.run(&ANA, &["sync"]).fails(1);
    assert!(
        stderr.contains("error: cannot fetch from the remote `origin` (../nowhere.git)"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was lost"), "{stderr}");
    let commits = team.commits(&ANA);
    assert_eq!(
        commits[..2],
        [
            "sync: commit changes made by hand",
            "log: phone call with acme-corp"
        ]
    );
    assert!(team.is_clean(&ANA));
    assert_eq!(team.yaml(&ANA, ACME)["region"], "EU");
    assert!(
        team.dir(&ANA)
            .join(format!("interactions/2026/11/{}.yaml", id.trim()))
            .is_file()
    );

    // Once the remote is back, everything goes out.
    team.git(&ANA, &["remote", "set-url", "origin", "../remote.git"]);
    team.run(&ANA, &["sync"]).ok();
    let remote_log = team
        .git_command(std::path::Path::new("remote.git"))
        .args(["log", "--format=%s", "main"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&remote_log.stdout)
            .starts_with("sync: commit changes made by hand\n")
    );
}

#[test]
fn sync_without_git_fails_clearly_and_changes_nothing() {
    let team = Team::new(&[&ANA]);
    let text = team.read(&ANA, ACME);
    team.write(&ANA, ACME, &format!("{text}region: EU\n"));
    let before = team.commits(&ANA);
    let empty = team.env.path().join("no-programs");
    std::fs::create_dir(&empty).unwrap();
    let output = team
        .env
        .command()
        .env("RELATE_STORE", team.dir(&ANA))
        .env("PATH", &empty)
        .arg("sync")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: cannot run git"), "{stderr}");
    assert!(stderr.contains("hint: install git"), "{stderr}");
    assert_eq!(team.commits(&ANA), before);
    assert!(
        !team.is_clean(&ANA),
        "the hand edit is still there, uncommitted"
    );
}

#[test]
fn sync_without_a_remote_says_how_to_add_one() {
    let team = Team::new(&[&ANA]);
    team.git(&ANA, &["remote", "remove", "origin"]);
    let stderr = team.run(&ANA, &["sync"]).fails(1);
    assert!(
        stderr.contains("error: the store's repository has no remote to sync with"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: add one with `git remote add origin URL`"),
        "{stderr}"
    );
}

#[test]
fn the_sync_table_lists_what_came_in_and_went_out() {
    let team = Team::new(&[&ANA, &BO]);
    team.run(&ANA, &["customer", "add", "Beta Ltd"]).ok();
    team.run(&ANA, &["sync"]).ok();
    team.run(&BO, &["customer", "set", "acme-corp", "region=EU"])
        .ok();
    let run = team.run(&BO, &["sync"]);
    assert_eq!(
        run.stdout,
        "direction  kind      id         change   by\n\
         in         customer  beta-ltd   added    Ana\n\
         out        customer  acme-corp  changed  Bo\n"
    );
    assert!(
        run.stderr
            .contains("Synced with origin/main: 1 record came in, 1 went out."),
        "{}",
        run.stderr
    );
}

#[test]
fn clone_copies_a_shared_store_and_refuses_a_bad_address() {
    let team = Team::new(&[&ANA, &BO]);
    assert_eq!(team.read(&BO, ACME), team.read(&ANA, ACME));
    assert_eq!(
        team.git(&BO, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "main\n"
    );
    let stderr = team.run(&CY, &["clone", "nowhere.git", "cy"]).fails(1);
    assert!(
        stderr.contains("error: cannot clone nowhere.git"),
        "{stderr}"
    );
    assert!(!team.dir(&CY).exists());
}

#[test]
fn a_merge_sync_cannot_finish_is_undone_and_leaves_no_markers() {
    let team = Team::new(&[&ANA, &BO]);
    // relate.yaml is no record: git merges it line by line, and these clash.
    let settings = team.read(&ANA, "relate.yaml");
    team.write(
        &ANA,
        "relate.yaml",
        &settings.replace("currency: EUR", "currency: USD"),
    );
    team.run(&ANA, &["sync"]).ok();
    team.write(
        &BO,
        "relate.yaml",
        &settings.replace("currency: EUR", "currency: GBP"),
    );
    team.run(&BO, &["customer", "set", "acme-corp", "region=EU"])
        .ok();
    let before = team.commits(&BO);

    let stderr = team.run(&BO, &["sync"]).fails(1);
    assert!(
        stderr.contains("error: cannot merge relate.yaml automatically"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nothing was changed: the merge was undone"),
        "{stderr}"
    );
    // The hand edit was committed before the merge; nothing else changed.
    assert_eq!(team.commits(&BO)[1..], before[..]);
    assert_eq!(team.commits(&BO)[0], "sync: commit changes made by hand");
    assert!(team.read(&BO, "relate.yaml").contains("currency: GBP"));
    assert!(!team.read(&BO, "relate.yaml").contains("<<<<<<<"));
    assert!(team.is_clean(&BO));
    assert!(!team.dir(&BO).join(".git/MERGE_HEAD").exists());
    assert_eq!(team.yaml(&BO, ACME)["region"], "EU");
}

#[test]
fn clone_checks_out_main_when_the_remote_head_names_another_branch() {
    let team = Team::new(&[&ANA]);
    team.git_command(std::path::Path::new("."))
        .args([
            "init",
            "--quiet",
            "--bare",
            "--initial-branch=master",
            "other.git",
        ])
        .status()
        .unwrap();
    team.git(&ANA, &["push", "--quiet", "../other.git", "main"]);
    assert_eq!(team.run(&BO, &["clone", "other.git", "bo"]).ok(), "");
    assert_eq!(
        team.git(&BO, &["rev-parse", "--abbrev-ref", "HEAD"]),
        "main\n"
    );
    assert_eq!(team.read(&BO, ACME), team.read(&ANA, ACME));
    team.run(&BO, &["customer", "set", "acme-corp", "region=EU"])
        .ok();
    let out = sync(&team, &BO);
    assert_eq!(
        (out.remote.as_str(), out.branch.as_str()),
        ("origin", "main")
    );
}

/// Bo's unpushed work in a clone whose history was rewritten elsewhere.
const HELLO: [&str; 6] = [
    "log",
    "acme-corp",
    "--channel",
    "email",
    "--summary",
    "Hello",
];

#[test]
fn a_person_erased_from_history_cannot_come_back_from_an_old_clone() {
    let team = Team::new(&[&ANA, &BO]);
    let zoe = [
        "customer",
        "add",
        "Zoe Roe",
        "--email",
        "zoe@roe.example",
        "--phone",
        "+44 20 7946 0958",
    ];
    team.run(&ANA, &zoe).ok();
    team.run(
        &ANA,
        &[
            "log",
            "zoe-roe",
            "--channel",
            "phone",
            "--summary",
            "Zoe Roe called",
        ],
    )
    .ok();
    team.run(&ANA, &["sync"]).ok();
    team.run(&BO, &["sync"]).ok();
    // Forgotten from the files first; from history later.
    team.run(&ANA, &["customer", "forget", "zoe-roe"]).ok();
    team.run(&ANA, &["sync"]).ok();
    let run = team.run(
        &ANA,
        &[
            "customer",
            "forget",
            "zoe-roe",
            "--rewrite-history",
            "--yes",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("Force-pushed to origin: refs/heads/main."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("clone the store again"),
        "{}",
        run.stderr
    );
    let out: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        out["changes"],
        serde_json::json!([]),
        "forgotten before: {out}"
    );
    assert_eq!(
        out["history"]["pushed"],
        serde_json::json!([{"remote": "origin", "refs": ["refs/heads/main"]}])
    );
    let remote_log = |team: &Team| {
        let out = (team.git_command(std::path::Path::new("remote.git")))
            .args(["log", "--all", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for personal in ["zoe-roe", "Zoe Roe", "zoe@roe.example", "7946 0958"] {
        assert!(
            !remote_log(&team).contains(personal),
            "the remote holds `{personal}`"
        );
    }
    // Bo's clone still has the old history: sync refuses to merge or send it.
    team.run(&BO, &HELLO).ok();
    let remote_main = |team: &Team| {
        (team.git_command(std::path::Path::new("remote.git")))
            .args(["rev-parse", "main"])
            .output()
            .unwrap()
            .stdout
    };
    let before = remote_main(&team);
    let bo_head = team.git(&BO, &["rev-parse", "HEAD"]);
    let stderr = team.run(&BO, &["sync"]).fails(1);
    assert!(
        stderr.contains("holds a person erased from the store's history"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: nothing was merged or sent"),
        "{stderr}"
    );
    assert_eq!(remote_main(&team), before);
    assert_eq!(team.git(&BO, &["rev-parse", "HEAD"]), bo_head);
    // The commands Ana was given clean Bo's clone; then it syncs again.
    for command in out["history"]["teammate_commands"].as_array().unwrap() {
        let words: Vec<&str> = command.as_str().unwrap().split_whitespace().collect();
        assert_eq!(words[0], "git");
        team.git(&BO, &words[1..]);
    }
    team.run(&BO, &["sync"]).ok();
    let log = team.git(&BO, &["log", "--all", "-p"]);
    assert!(!log.contains("Zoe Roe") && !log.contains("zoe@roe.example"));
    // Written in again under another name, her address is refused too.
    let zoe_again = team.run(
        &BO,
        &["customer", "add", "Z. Roe", "--email", "ZOE@roe.example"],
    );
    assert_eq!(zoe_again.code, 0, "{zoe_again:?}");
    assert!(
        zoe_again.stderr.contains(
            "warning: an e-mail address or phone number of this customer is one of a person erased"
        ),
        "{}",
        zoe_again.stderr
    );
    let before = remote_main(&team);
    let stderr = team.run(&BO, &["sync"]).fails(1);
    assert!(
        stderr.contains("(`customers/z-roe.yaml`) holds a person erased"),
        "{stderr}"
    );
    assert_eq!(remote_main(&team), before);
}

#[test]
fn sync_refuses_a_remote_history_that_shares_no_commit_with_ours() {
    let team = Team::new(&[&ANA, &BO]);
    team.run(&CY, &["init", "cy"]).ok();
    team.git(
        &CY,
        &["push", "--quiet", "--force", "../remote.git", "main"],
    );
    team.run(&BO, &HELLO).ok();
    let head = team.git(&BO, &["rev-parse", "HEAD"]);
    let stderr = team.run(&BO, &["sync"]).fails(1);
    assert!(
        stderr.contains("error: the history of `origin/main` shares no commit with this clone's"),
        "{stderr}"
    );
    assert!(
        stderr.contains("clone the store again with `relate clone URL`"),
        "{stderr}"
    );
    assert_eq!(team.git(&BO, &["rev-parse", "HEAD"]), head);
}
