use crate::common::TestEnv;

#[test]
fn log_writes_a_dated_file_and_commits_with_a_readable_message() {
    let env = TestEnv::with_basics();
    let id = env
        .run(&[
            "log",
            "acme-corp",
            "--channel",
            "phone",
            "--summary",
            "Renewal call",
            "--direction",
            "outbound",
            "--purpose",
            "sales",
            "--follow-up",
            "2026-12-01",
            "--owner",
            "ana",
        ])
        .ok();
    let id = id.trim();
    assert!(id.starts_with("20261122t101500-") && id.len() == 21, "{id}");
    let rel = format!("interactions/2026/11/{id}.yaml");
    assert_eq!(
        env.read(&rel),
        format!(
            "id: {id}\ncustomer: acme-corp\nat: 2026-11-22T10:15:00Z\nchannel: phone\ndirection: outbound\n\
             purpose: sales\nowner: ana\nsummary: Renewal call\nfollow_up: 2026-12-01\n"
        )
    );
    assert_eq!(env.commits()[0], "log: phone call with acme-corp");
    assert_eq!(
        env.last_commit_files(),
        [format!("store/{rel}").replacen("store/", "", 1)]
    );
}

#[test]
fn the_text_can_come_on_stdin() {
    let env = TestEnv::with_basics();
    let id = env
        .run_with_stdin(
            &[
                "log",
                "acme-corp",
                "--channel",
                "meeting",
                "--at",
                "2026-03-05T14:00:00+01:00",
            ],
            "Workshop on the roll-out\nAgreed on a pilot in April.\n",
        )
        .ok();
    let yaml = env.yaml(&format!("interactions/2026/03/{}.yaml", id.trim()));
    assert!(
        id.starts_with("20260305t130000-"),
        "UTC time in the id: {id}"
    );
    assert_eq!(
        yaml["at"], "2026-03-05T14:00:00+01:00",
        "the offset as given"
    );
    assert_eq!(yaml["summary"], "Workshop on the roll-out");
    assert_eq!(
        yaml["body"],
        "Workshop on the roll-out\nAgreed on a pilot in April.\n"
    );
}

#[test]
fn two_logs_at_the_same_second_get_distinct_files() {
    let env = TestEnv::with_basics();
    let first = env
        .run(&["log", "acme-corp", "--channel", "email", "--summary", "a"])
        .ok();
    let second = env
        .run(&["log", "acme-corp", "--channel", "email", "--summary", "b"])
        .ok();
    assert_ne!(first, second);
    assert_eq!(
        env.files()
            .iter()
            .filter(|f| f.starts_with("interactions/2026"))
            .count(),
        2
    );
}

#[test]
fn bad_input_is_refused_with_nothing_written() {
    let env = TestEnv::with_basics();
    let commits = env.commits().len();
    let cases: [(&[&str], i32, &str); 7] = [
        (
            &["log", "acme-corp", "--channel", "fax", "--summary", "x"],
            2,
            "unknown channel `fax`",
        ),
        (
            &[
                "log",
                "acme-corp",
                "--channel",
                "phone",
                "--summary",
                "x",
                "--at",
                "the day before",
            ],
            2,
            "is not a date-time",
        ),
        (
            &[
                "log",
                "acme-corp",
                "--channel",
                "phone",
                "--summary",
                "x",
                "--follow-up",
                "2026-13-01",
            ],
            2,
            "use YYYY-MM-DD",
        ),
        (
            &[
                "log",
                "acme-corp",
                "--channel",
                "questionnaire",
                "--summary",
                "x",
                "--score",
                "11",
            ],
            2,
            "11 is not in 0..=10",
        ),
        (
            &["log", "acme-crop", "--channel", "phone", "--summary", "x"],
            3,
            "did you mean `acme-corp`?",
        ),
        (
            &["log", "../acme", "--channel", "phone", "--summary", "x"],
            2,
            "not a valid id",
        ),
        (
            &[
                "log",
                "acme-corp",
                "--channel",
                "phone",
                "--summary",
                "x",
                "--deal",
                "nope",
            ],
            3,
            "no deal `nope`",
        ),
    ];
    for (args, code, message) in cases {
        let stderr = env.run(args).fails(code);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert!(!env.store().join("interactions/2026").exists());
    assert_eq!(env.commits().len(), commits);
}

#[test]
fn a_deal_of_another_customer_is_refused() {
    let env = TestEnv::with_basics();
    env.run(&["deal", "new", "ana-lima", "--title", "Toner"])
        .ok();
    let stderr = env
        .run(&[
            "log",
            "acme-corp",
            "--channel",
            "phone",
            "--summary",
            "x",
            "--deal",
            "ana-lima-toner",
        ])
        .fails(2);
    assert!(
        stderr.contains("belongs to `ana-lima`, not `acme-corp`"),
        "{stderr}"
    );
}

#[test]
fn no_commit_leaves_the_file_uncommitted() {
    let env = TestEnv::with_basics();
    let commits = env.commits().len();
    let id = env
        .run(&[
            "--no-commit",
            "log",
            "acme-corp",
            "--channel",
            "chat",
            "--summary",
            "x",
        ])
        .ok();
    assert!(
        env.store()
            .join(format!("interactions/2026/11/{}.yaml", id.trim()))
            .exists()
    );
    assert_eq!(env.commits().len(), commits);
    assert!(env.is_dirty());
}

#[test]
fn empty_text_is_refused_not_written() {
    let env = TestEnv::with_basics();
    let commits = env.commits().len();
    let stderr = env
        .run_with_stdin(&["log", "acme-corp", "--channel", "phone"], "\n  \n")
        .fails(2);
    assert!(
        stderr.contains("no summary: give --summary TEXT or pipe the text in"),
        "{stderr}"
    );
    let stderr = env
        .run(&["log", "acme-corp", "--channel", "phone", "--summary", " "])
        .fails(2);
    assert!(stderr.contains("`summary` must not be empty"), "{stderr}");
    env.run(&["deal", "new", "acme-corp", "--title", "Empty reason"])
        .ok();
    let stderr = env
        .run(&["deal", "lose", "acme-corp-empty-reason", "--reason", ""])
        .fails(2);
    assert!(
        stderr.contains("`lost_reason` must not be empty"),
        "{stderr}"
    );
    let stderr = env
        .run(&["customer", "add", "Blank Co", "--company", ""])
        .fails(2);
    assert!(stderr.contains("`company` must not be empty"), "{stderr}");
    assert!(!env.store().join("interactions/2026").exists());
    assert_eq!(
        env.commits().len(),
        commits + 1,
        "only the deal was written"
    );
}
