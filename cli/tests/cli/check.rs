use serde::Deserialize;

use crate::common::TestEnv;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ProblemJson {
    path: String,
    #[serde(deserialize_with = "crate::common::present")]
    line: Option<usize>,
    message: String,
}

#[test]
fn a_clean_store_is_silent() {
    let env = TestEnv::with_basics();
    env.run(&[
        "log",
        "acme-corp",
        "--channel",
        "phone",
        "--summary",
        "hello",
    ])
    .ok();
    env.run(&["order", "add", "ana-lima", "--line", "toner:2"])
        .ok();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Deal",
        "--line",
        "printer:1",
    ])
    .ok();
    let run = env.run(&["check"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
}

/// A store with one broken file for each class of problem `check` knows.
fn broken_store() -> TestEnv {
    let env = TestEnv::with_basics();
    env.write(
        "customers/syntax.yaml",
        "id: syntax\nname: [unclosed\nkind: person\n",
    );
    env.write("customers/missing.yaml", "id: missing\nkind: person\n");
    env.write(
        "customers/stem.yaml",
        "id: other-id\nname: Stem\nkind: person\n",
    );
    env.write(
        "customers/typo.yaml",
        "id: typo\nname: Typo\nkind: person\nemial: a@b.c\n",
    );
    env.write(
        "customers/dup.yaml",
        "id: dup\nname: Dup\nkind: person\nemails:\n- ana@example.com\n",
    );
    env.write(
        "customers/conflict.yaml",
        "id: conflict\n<<<<<<< ours\nname: A\n=======\nname: B\n>>>>>>> theirs\nkind: person\n",
    );
    env.write(
        "interactions/2026/11/20261101t090000-aaaaa.yaml",
        "id: 20261101t090000-aaaaa\ncustomer: ghost\nat: 2026-11-01T09:00:00Z\nchannel: fax\n",
    );
    env.write(
        "interactions/2026/10/20261101t100000-bbbbb.yaml",
        "id: 20261101t100000-bbbbb\ncustomer: acme-corp\nat: 2026-11-01T10:00:00Z\nchannel: phone\n",
    );
    env.write(
        "deals/acme-corp-x.yaml",
        "id: acme-corp-x\ncustomer: acme-corp\ntitle: X\nstage: dreaming\ncreated: 2026-11-01\nlines:\n- product: ink\n  quantity: 1\n  price: 5\n",
    );
    env.write(
        "orders/2026/11/20261101t110000-ccccc.yaml",
        "id: 20261101t110000-ccccc\ncustomer: acme-corp\nat: 2026-11-01T11:00:00Z\nlines:\n- product: toner\n  quantity: 2\n  price: 19.9\ntotal: 40\n",
    );
    env
}

#[test]
fn every_class_of_problem_is_reported_with_file_and_line() {
    let env = broken_store();
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4, "{run:#?}");
    let expected = [
        "customers/conflict.yaml:2: git conflict marker left in the file: keep the right lines, delete the markers",
        "customers/dup.yaml:4: e-mail `ana@example.com` also belongs to customer `ana-lima`: a duplicate customer?",
        "customers/missing.yaml:1: missing field `name`",
        "customers/stem.yaml:1: id `other-id` differs from the file name `stem.yaml`",
        "customers/syntax.yaml:2: name: invalid type: sequence, expected a string (column 7)",
        "customers/typo.yaml:4: unknown field `emial`: did you mean `emails`? (column 1)",
        "deals/acme-corp-x.yaml:4: unknown stage `dreaming`: the pipeline is qualification, needs_analysis, proposal, negotiation, won, lost",
        "deals/acme-corp-x.yaml:6: unknown product `ink`",
        "interactions/2026/10/20261101t100000-bbbbb.yaml:3: filed under the wrong month: by its date it belongs in interactions/2026/11/",
        "interactions/2026/11/20261101t090000-aaaaa.yaml:2: unknown customer `ghost`",
        "interactions/2026/11/20261101t090000-aaaaa.yaml:4: unknown channel `fax`",
        "orders/2026/11/20261101t110000-ccccc.yaml:8: total 40 does not match its lines, which sum to 39.8",
    ];
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), expected.len(), "{}", run.stdout);
    for (line, expected) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(expected),
            "expected `{expected}`, got `{line}`"
        );
    }
}

#[test]
fn check_json_lists_the_same_problems() {
    let env = broken_store();
    let run = env.run(&["check", "--format", "json"]);
    assert_eq!(run.code, 4);
    let problems: Vec<ProblemJson> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(problems.len(), 12);
    assert_eq!(problems[0].path, "customers/conflict.yaml");
    assert_eq!(problems[0].line, Some(2));
    assert!(problems[0].message.contains("conflict marker"));
}

#[test]
fn a_broken_settings_file_is_reported_by_check_and_blocks_other_commands() {
    let env = TestEnv::with_basics();
    env.write(
        "relate.yaml",
        "schema: 1\npipeline:\n- stage: won\n  probability: 2\n",
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4);
    assert_eq!(
        run.stdout,
        "relate.yaml: pipeline: `won` is a terminal outcome and must not be listed\n\
         relate.yaml: pipeline: probability of `won` must be between 0 and 1\n"
    );
    let stderr = env.run(&["customer", "list"]).fails(4);
    assert!(
        stderr.starts_with("error: relate.yaml: pipeline: `won` is a terminal outcome"),
        "{stderr}"
    );
}

#[test]
fn a_symlink_out_of_the_store_is_never_followed() {
    let env = TestEnv::with_basics();
    let outside = env.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(
        outside.join("secret.yaml"),
        "id: secret\nname: Secret\nkind: person\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.join("secret.yaml"),
        env.store().join("customers/secret.yaml"),
    )
    .unwrap();
    let stderr = env.run(&["customer", "show", "secret"]).fails(3);
    assert!(stderr.contains("no customer `secret`"), "{stderr}");
    let list = env.run(&["customer", "list", "--format", "csv"]).ok();
    assert!(!list.contains("secret"), "{list}");

    // A record folder that is a symlink leading outside is refused for writing.
    std::fs::create_dir_all(outside.join("months")).unwrap();
    std::fs::create_dir_all(env.store().join("orders/2026")).unwrap();
    std::os::unix::fs::symlink(outside.join("months"), env.store().join("orders/2026/11")).unwrap();
    let stderr = env
        .run(&["order", "add", "acme-corp", "--total", "5"])
        .fails(1);
    assert!(stderr.contains("leads out of the store"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(outside.join("months")).unwrap().count(),
        0
    );
}

#[test]
fn files_no_command_reads_are_reported() {
    let env = TestEnv::with_basics();
    env.write(
        "customers/sub/nested.yaml",
        "id: nested\nname: N\nkind: person\n",
    );
    env.write("customers/notes.txt", "remember\n");
    env.write("interactions/wrongdir.yaml", "id: x\n");
    env.write("orders/2026/11/.relate-abc.tmp", "half\n");
    env.write("orders/2026/11/.gitkeep", "");
    env.write("orders/2026/11/old/inv-1.yaml", "id: inv-1\n");
    env.write("orders/2026/summary.csv", "x\n");
    std::os::unix::fs::symlink(
        env.store().join("customers/acme-corp.yaml"),
        env.store().join("customers/link.yaml"),
    )
    .unwrap();
    let expected = "customers/link.yaml: a symlink: relate never follows links in the store; replace it with the file\n\
         customers/notes.txt: not read by relate: customers are files named customers/<id>.yaml\n\
         customers/sub/nested.yaml: not read by relate: customers are files named customers/<id>.yaml\n\
         interactions/wrongdir.yaml: not read by relate: interactions are files named interactions/<yyyy>/<mm>/<id>.yaml\n\
         orders/2026/11/.relate-abc.tmp: left over from an interrupted write: delete it\n\
         orders/2026/11/old/inv-1.yaml: not read by relate: orders are files named orders/<yyyy>/<mm>/<id>.yaml\n\
         orders/2026/summary.csv: not read by relate: orders are files named orders/<yyyy>/<mm>/<id>.yaml\n";
    // Reading every file (and filling the cache), then from the cache, where
    // the stray files come from the listings the reads made; then without it.
    for cache in ["on", "on", "off"] {
        let run = env.run_with_env(("RELATE_CACHE", cache), &["check"]);
        assert_eq!(run.code, 4, "{run:#?}");
        assert_eq!(run.stdout, expected, "cache {cache}");
    }
}

#[test]
fn check_csv_is_a_table_of_problems() {
    let env = TestEnv::with_basics();
    env.write("customers/missing.yaml", "id: missing\nkind: person\n");
    env.write("customers/notes.txt", "x\n");
    let run = env.run(&["check", "--format", "csv"]);
    assert_eq!(run.code, 4);
    assert_eq!(
        run.stdout,
        "path,line,message\n\
         customers/missing.yaml,1,missing field `name`\n\
         customers/notes.txt,,not read by relate: customers are files named customers/<id>.yaml\n"
    );
}
