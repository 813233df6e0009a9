use serde::Deserialize;

use crate::common::TestEnv;

/// The JSON shape of `customer duplicates --format json`.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct GroupJson {
    customers: Vec<String>,
    score: f64,
    pairs: Vec<PairJson>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct PairJson {
    a: String,
    b: String,
    score: f64,
    reasons: Vec<serde_json::Value>,
}

/// A store with known duplicates and known near-misses, phones read in NL.
fn store_with_duplicates() -> TestEnv {
    let env = TestEnv::new();
    let settings = env
        .read("relate.yaml")
        .replace("# phone_region: NL", "phone_region: NL");
    env.write("relate.yaml", &settings);
    env.git(&["commit", "-qam", "phone region"]);
    for args in [
        &[
            "Jan de Vries",
            "--id",
            "jan",
            "--email",
            "j.devries@gmail.com",
        ][..],
        &[
            "J. de Vries",
            "--id",
            "jan-2",
            "--email",
            "jdevries+crm@gmail.com",
        ],
        &[
            "Jan de Vries",
            "--company",
            "Bakkerij Noord",
            "--email",
            "jan@noord.nl",
        ],
        &[
            "Jan de Vries",
            "--company",
            "Garage Zuid",
            "--email",
            "jan@zuid.nl",
        ],
        &["Acme Corp", "--phone", "+31 20 123 4567"],
        &["ACME Corporation", "--phone", "020-1234567"],
    ] {
        let mut command = vec!["customer", "add"];
        command.extend_from_slice(args);
        env.run(&command).ok();
    }
    env
}

#[test]
fn duplicates_lists_the_known_pairs_with_reasons_and_scores() {
    let env = store_with_duplicates();
    let head = env.head();
    let out = env.run(&["customer", "duplicates"]).ok();
    assert_eq!(
        out,
        "\
group  score  customer   other             reasons
    1   0.95  jan        jan-2             same e-mail jdevries@gmail.com
    2   0.90  acme-corp  acme-corporation  same phone +31201234567
"
    );
    let groups: Vec<GroupJson> = env.json(&["customer", "duplicates"]);
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].customers, ["jan", "jan-2"]);
    assert_eq!(groups[0].score, 0.95);
    let pair = &groups[1].pairs[0];
    assert_eq!(
        (pair.a.as_str(), pair.b.as_str()),
        ("acme-corp", "acme-corporation")
    );
    assert_eq!(pair.score, 0.9);
    assert_eq!(
        pair.reasons,
        [serde_json::json!({"reason": "same_phone", "phone": "+31201234567"})]
    );
    // Only the surest pairs above a higher threshold; reading writes nothing.
    let sure = env
        .run(&["customer", "duplicates", "--threshold", "0.92"])
        .ok();
    assert!(sure.contains("jan-2") && !sure.contains("acme"), "{sure}");
    assert_eq!(env.head(), head);
    assert_eq!(env.git_status(), "");
}

#[test]
fn duplicates_says_when_there_are_none_and_refuses_a_bad_threshold() {
    let env = TestEnv::with_basics();
    let run = env.run(&["customer", "duplicates"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "group  score  customer  other  reasons\n");
    assert!(
        run.stderr.contains("No likely duplicates"),
        "{}",
        run.stderr
    );
    let err = env
        .run(&["customer", "duplicates", "--threshold", "2"])
        .fails(2);
    assert!(err.contains("not a score from 0 to 1"), "{err}");
}

#[test]
fn adding_a_probable_duplicate_names_it_on_stderr() {
    let env = store_with_duplicates();
    let run = env.run(&["customer", "add", "Acme B.V.", "--phone", "0201234567"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stdout, "acme-b-v\n");
    assert!(
        run.stderr.contains(
            "note: new customer `acme-b-v` looks like `acme-corp` (same phone +31201234567); `relate customer merge acme-corp acme-b-v` if so"
        ),
        "{}",
        run.stderr
    );
    // Created all the same, in one commit.
    assert_eq!(env.last_commit_files(), ["customers/acme-b-v.yaml"]);
    assert!(env.commits()[0].starts_with("customer add: acme-b-v"));
    // Someone else of the same name elsewhere is no duplicate.
    let run = env.run(&[
        "customer",
        "add",
        "Jan de Vries",
        "--company",
        "Bakkerij West",
        "--email",
        "jan@west.nl",
    ]);
    assert_eq!(run.code, 0);
    assert!(!run.stderr.contains("looks like"), "{}", run.stderr);
}

#[test]
fn an_import_names_the_probable_duplicates_it_creates() {
    let env = store_with_duplicates();
    std::fs::write(
        env.path().join("new.csv"),
        "name,email,phone\nJan Devries,jdevries+news@googlemail.com,\nNew Person,new@example.com,\n",
    )
    .unwrap();
    let run = env.run(&["import", "customers", "new.csv"]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains(
            "note: new customer `jan-devries` looks like `jan` (same e-mail jdevries@gmail.com)"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("new-person"), "{}", run.stderr);
    assert!(
        env.files()
            .contains(&"customers/jan-devries.yaml".to_string())
    );
}
