use crate::common::TestEnv;

/// The basics, and a duplicate of Acme Corp with a deal, an order, a logged
/// call and a membership of a launched campaign.
fn store_with_a_duplicate() -> TestEnv {
    let env = TestEnv::with_basics();
    let duplicate = "customer add ACME_Corporation --id acme-2 --email sales@acme.example \
        --phone +31_20_123_4567 --tag vip --set region=EU";
    for command in [
        duplicate,
        "customer set acme-corp region=US tags+=key",
        "log acme-2 --channel phone --summary called",
        "deal new acme-2 --title Refresh --amount 900",
        "order add acme-2 --line toner:3 --at 2026-11-02",
        "campaign new Promo --where region=\"EU\" --channel letter",
        "campaign launch promo",
    ] {
        // Words are split at spaces; `_` stands for a space within one.
        let words: Vec<String> = command
            .split_whitespace()
            .map(|w| w.replace('_', " "))
            .collect();
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        env.run(&args).ok();
    }
    env
}

#[test]
fn merge_moves_every_record_merges_the_profile_and_commits_once() {
    let env = store_with_a_duplicate();
    let order = env
        .files()
        .into_iter()
        .find(|f| f.starts_with("orders/2026"))
        .unwrap();
    let call = env
        .files()
        .into_iter()
        .find(|f| f.starts_with("interactions/2026"))
        .unwrap();
    let run = env.run(&["customer", "merge", "acme-corp", "acme-2"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stdout
            .contains("move        1 deal           acme-2-refresh\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("Merged acme-2 into acme-corp."),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("relate resolve acme-corp"),
        "{}",
        run.stderr
    );

    // One commit: the kept customer, the moved records, the campaign, the removal.
    assert_eq!(env.commits()[0], "customer merge: acme-corp <- acme-2");
    let mut written = env.last_commit_files();
    written.sort();
    let deal = written
        .iter()
        .find(|f| f.starts_with("deals/"))
        .unwrap()
        .clone();
    let mut expected = vec![
        "campaigns/promo.yaml".to_string(),
        "customers/acme-2.yaml".to_string(),
        "customers/acme-corp.yaml".to_string(),
        deal.clone(),
        call.clone(),
        order.clone(),
    ];
    expected.sort();
    assert_eq!(written, expected);
    assert_eq!(env.git_status(), "");
    assert!(!env.files().contains(&"customers/acme-2.yaml".to_string()));

    // Every reference now names the customer kept.
    for file in [&deal, &call, &order] {
        assert_eq!(env.yaml(file)["customer"], "acme-corp", "{file}");
    }
    let members = env.yaml("campaigns/promo.yaml")["members"].clone();
    assert_eq!(
        members,
        serde_yaml::from_str::<serde_yaml::Value>("[acme-corp]").unwrap()
    );

    // Lists united, a missing field taken, a differing one recorded as a conflict.
    let kept = env.yaml("customers/acme-corp.yaml");
    let list = |key: &str| serde_yaml::to_string(&kept[key]).unwrap();
    assert_eq!(
        list("emails"),
        "- info@acme.example\n- sales@acme.example\n"
    );
    assert_eq!(list("tags"), "- key\n- vip\n");
    assert_eq!(list("phones"), "- +31 20 123 4567\n");
    assert_eq!(list("aliases"), "- acme-2\n");
    assert_eq!(kept["name"], "Acme Corp");
    assert_eq!(kept["region"], "US");
    let conflicts = list("conflicts");
    assert!(
        conflicts.contains("field: name\n  value: ACME Corporation\n  by: merge of acme-2"),
        "{conflicts}"
    );
    assert!(
        conflicts.contains("field: region\n  value: EU"),
        "{conflicts}"
    );
    let listed = env.run(&["conflicts"]).ok();
    assert!(listed.contains("ACME Corporation"), "{listed}");
    // `check` finds the conflicts to settle and no dangling reference.
    let check = env.run(&["check"]);
    assert_eq!(check.code, 4);
    assert_eq!(check.stdout.lines().count(), 2, "{}", check.stdout);
    assert!(
        check
            .stdout
            .lines()
            .all(|l| l.contains("unresolved conflict")),
        "{}",
        check.stdout
    );
}

#[test]
fn a_dry_run_prints_the_plan_and_writes_nothing() {
    let env = store_with_a_duplicate();
    let head = env.head();
    let files = env.files();
    let run = env.run(&["customer", "merge", "acme-corp", "acme-2", "--dry-run"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        run.stdout,
        "\
change      what             detail
move        1 interaction    20261122t101500-shs1j
move        1 deal           acme-2-refresh
move        1 order          20261102t000000-shs1j
membership  campaign promo   launched: its members now name acme-corp
field       emails           taken from the merged profiles
field       phones           taken from the merged profiles
field       tags             taken from the merged profiles
conflict    name             kept `Acme Corp`, recorded `ACME Corporation` by merge of acme-2 at 2026-11-22T10:15:00Z
conflict    region           kept `US`, recorded `EU` by merge of acme-2 at 2026-11-22T10:15:00Z
remove      customer acme-2  now an alias of acme-corp
"
    );
    assert!(run.stderr.contains("Dry run"), "{}", run.stderr);
    assert_eq!(env.head(), head);
    assert_eq!(env.files(), files);
    assert_eq!(env.git_status(), "");
    let plan: serde_json::Value =
        env.json(&["customer", "merge", "acme-corp", "acme-2", "--dry-run"]);
    assert_eq!(plan["keep"], "acme-corp");
    assert_eq!(plan["moved"][0]["kind"], "interaction");
    assert_eq!(plan["campaigns"], serde_json::json!(["promo"]));
    assert_eq!(plan["merged"]["aliases"], serde_json::json!(["acme-2"]));
}

#[test]
fn refused_merges_write_nothing() {
    let env = store_with_a_duplicate();
    let head = env.head();
    let files = env.files();
    for (args, code, message) in [
        (
            ["acme-corp", "acme-corp"],
            2,
            "cannot merge `acme-corp` into itself",
        ),
        (["acme-corp", "nobody"], 3, "no customer `nobody`"),
        (["nobody", "acme-2"], 3, "no customer `nobody`"),
    ] {
        let mut command = vec!["customer", "merge"];
        command.extend(args);
        let err = env.run(&command).fails(code);
        assert!(err.contains(message), "{err}");
    }
    // An other with conflicts recorded is settled first.
    let text = env.read("customers/acme-2.yaml");
    env.write(
        "customers/acme-2.yaml",
        &format!("{text}conflicts:\n- field: region\n  value: US\n"),
    );
    env.git(&["commit", "-qam", "a conflict"]);
    let head = {
        assert_ne!(env.head(), head);
        env.head()
    };
    let err = env
        .run(&["customer", "merge", "acme-corp", "acme-2"])
        .fails(1);
    assert!(
        err.contains("customer `acme-2` has merge conflicts recorded"),
        "{err}"
    );
    assert!(
        err.contains("hint: settle them first with `relate resolve acme-2`"),
        "{err}"
    );
    assert_eq!(env.head(), head);
    assert_eq!(env.files(), files);
    assert_eq!(env.git_status(), "");
}

#[test]
fn a_merged_id_stays_reserved() {
    let env = store_with_a_duplicate();
    env.run(&["customer", "merge", "acme-corp", "acme-2"]).ok();
    let head = env.head();
    let err = env
        .run(&["customer", "add", "Someone", "--id", "acme-2"])
        .fails(1);
    assert!(
        err.contains("`acme-2` is the id of a customer merged into `acme-corp`"),
        "{err}"
    );
    assert_eq!(env.head(), head);
    // A slug skips it.
    env.run(&["customer", "add", "Acme", "--id", "acme"]).ok();
    let id = env.created(&["customer", "add", "Acme 2"]);
    assert_eq!(id, "acme-2-2");
}

#[test]
fn a_merged_id_still_finds_the_customer_kept() {
    let env = store_with_a_duplicate();
    env.run(&["customer", "merge", "acme-corp", "acme-2"]).ok();
    let run = env.run(&["--format", "json", "customer", "show", "acme-2"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let shown: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(shown["customer"]["id"], "acme-corp");
    assert_eq!(
        shown["totals"]["orders"], 1,
        "the moved order is the kept one's"
    );
    assert!(
        run.stderr
            .contains("note: `acme-2` was merged into `acme-corp`"),
        "{}",
        run.stderr
    );
    env.run(&["customer", "set", "acme-2", "stage=customer"])
        .ok();
    assert_eq!(env.yaml("customers/acme-corp.yaml")["stage"], "customer");
    assert_eq!(env.last_commit_files(), ["customers/acme-corp.yaml"]);
    // A new record names the kept customer, never the merged id.
    let run = env.run(&["log", "acme-2", "--channel", "phone", "--summary", "x"]);
    assert!(
        run.stderr
            .contains("note: `acme-2` was merged into `acme-corp`"),
        "{}",
        run.stderr
    );
    let id = run.ok().trim().to_string();
    let logged = env.yaml(&format!("interactions/2026/11/{id}.yaml"));
    assert_eq!(logged["customer"], "acme-corp");
}

#[test]
fn check_accepts_a_reference_to_a_merged_id() {
    let env = store_with_a_duplicate();
    env.run(&["customer", "merge", "acme-corp", "acme-2"]).ok();
    env.run(&["resolve", "acme-corp", "name", "--take", "ours"])
        .ok();
    env.run(&["resolve", "acme-corp", "region", "--take", "ours"])
        .ok();
    env.run(&["check"]).ok();
    // A teammate's contact, logged before the merge reached them.
    env.write(
        "interactions/2026/11/20261120t090000-aaaaa.yaml",
        "id: 20261120t090000-aaaaa\ncustomer: acme-2\nat: 2026-11-20T09:00:00Z\nchannel: phone\nsummary: old call\n",
    );
    env.run(&["check"]).ok();
    // An alias that a new customer took all the same is reported.
    env.write(
        "customers/acme-2.yaml",
        "id: acme-2\nname: Acme again\nkind: organization\n",
    );
    let report = env.run(&["check"]);
    assert_eq!(report.code, 4);
    assert!(
        report
            .stdout
            .contains("alias `acme-2` is also the id of a customer"),
        "{report:#?}"
    );
}

#[test]
fn a_re_import_finds_the_customer_kept() {
    let env = store_with_a_duplicate();
    env.run(&["customer", "set", "acme-2", "external_id=HS-2"])
        .ok();
    env.run(&["customer", "merge", "acme-corp", "acme-2"]).ok();
    let files = env.files();
    for (csv, source) in [
        ("external_id,source\nHS-2,fair\n", "fair"),
        ("email,source\nsales@acme.example,web\n", "web"),
    ] {
        std::fs::write(env.path().join("again.csv"), csv).unwrap();
        let run = env.run(&["import", "customers", "again.csv"]);
        assert_eq!(run.code, 0, "{run:#?}");
        assert_eq!(env.files(), files, "no customer created");
        assert_eq!(env.last_commit_files(), ["customers/acme-corp.yaml"]);
        assert_eq!(env.yaml("customers/acme-corp.yaml")["source"], source);
    }
}

#[test]
fn sync_rewrites_a_teammates_references_to_a_merged_id() {
    use crate::team::{ANA, BO, Team};
    let team = Team::new(&[&ANA, &BO]);
    team.run(&ANA, &["customer", "add", "Acme Two", "--id", "acme-2"])
        .ok();
    team.run(&ANA, &["sync"]).ok();
    team.run(&BO, &["sync"]).ok();
    team.run(&ANA, &["customer", "merge", "acme-corp", "acme-2"])
        .ok();
    team.run(&ANA, &["sync"]).ok();
    // Bo has not seen the merge and logs a call with the old id.
    let call = team.run(
        &BO,
        &["log", "acme-2", "--channel", "phone", "--summary", "x"],
    );
    let call = call.ok().trim().to_string();
    let path = format!("interactions/{}/{}/{call}.yaml", &call[..4], &call[4..6]);
    team.run(&BO, &["sync"]).ok();
    assert_eq!(team.yaml(&BO, &path)["customer"], "acme-corp");
    let commits = team.commits(&BO);
    assert_eq!(commits[0], "sync: references to merged customers rewritten");
    let body = team.git(&BO, &["log", "-1", "--format=%b"]);
    assert_eq!(body.trim(), format!("interaction {call}"));
    assert!(team.is_clean(&BO));
    // The rewrite was pushed with Bo's call.
    team.run(&ANA, &["sync"]).ok();
    assert_eq!(team.yaml(&ANA, &path)["customer"], "acme-corp");
    team.run(&ANA, &["resolve", "acme-corp", "name", "--take", "ours"])
        .ok();
    team.run(&ANA, &["check"]).ok();
}
