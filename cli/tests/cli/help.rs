//! The whole command-line interface as one snapshot: any change to a command, an
//! option or a help text shows up in review. Refresh with
//! `INSTA_UPDATE=always cargo test --test cli help` and read the diff.

use crate::common::TestEnv;

/// The subcommands listed under `Commands:` in a help text.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        // Entries stand two spaces in; wrapped descriptions stand further in.
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect()
}

fn collect(env: &TestEnv, path: Vec<String>, out: &mut String) {
    let args: Vec<&str> = path.iter().map(String::as_str).chain(["--help"]).collect();
    let help = env.run(&args).ok();
    out.push_str(&format!("===== relate {}\n{help}\n", path.join(" ")));
    for sub in subcommands(&help) {
        let mut next = path.clone();
        next.push(sub);
        collect(env, next, out);
    }
}

#[test]
fn the_whole_cli() {
    let env = TestEnv::empty();
    let mut all = String::new();
    collect(&env, Vec::new(), &mut all);
    insta::assert_snapshot!(all);
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::empty();
    let stderr = env.run(&["customer", "frobnicate"]).fails(2);
    assert!(
        stderr.contains("unrecognized subcommand 'frobnicate'"),
        "{stderr}"
    );
    let stderr = env.run(&["--format", "xml", "customer", "list"]).fails(2);
    assert!(
        stderr.contains("possible values: table, json, csv, markdown"),
        "{stderr}"
    );
}

#[test]
fn completions_and_the_manual_come_from_the_parser() {
    let env = TestEnv::empty();
    let bash = env.run(&["completions", "bash"]).ok();
    assert!(bash.starts_with("_relate() {"), "{bash}");
    for word in ["customer", "report", "segments", "--as-of", "--format"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    let zsh = env.run(&["completions", "zsh"]).ok();
    assert!(zsh.starts_with("#compdef relate"), "{zsh}");
    let man = env.run(&["man"]).ok();
    assert!(man.contains(".TH relate 1"), "{man}");
    assert!(
        man.contains("relate\\-customer(1)"),
        "subcommands are listed"
    );
    let stderr = env.run(&["completions", "tcsh"]).fails(2);
    assert!(
        stderr.contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{stderr}"
    );
}

#[test]
fn every_page_the_manual_refers_to_is_generated() {
    let env = TestEnv::empty();
    let revenue = env.run(&["man", "report", "revenue"]).ok();
    assert!(revenue.contains(".TH relate-report-revenue 1"), "{revenue}");
    assert!(
        revenue.contains("\\-\\-period"),
        "its options are documented"
    );
    let stderr = env.run(&["man", "report", "nope"]).fails(2);
    assert!(
        stderr.starts_with(
            "error: `nope` is not a command of `relate-report`\nhint: the commands are: segments,"
        ),
        "{stderr}"
    );
    let dir = env.path().join("man1");
    let stderr = env.run(&["man", "--dir", dir.to_str().unwrap()]).stderr;
    assert!(
        stderr.starts_with("Wrote the manual pages into"),
        "{stderr}"
    );
    let pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(pages.len() > 50, "{pages:?}");
    // Each page a page names in SEE ALSO or SUBCOMMANDS exists.
    for page in &pages {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        for word in text.split(|c: char| c.is_whitespace() || c == ',') {
            let Some(name) = word.strip_suffix("(1)") else {
                continue;
            };
            let name = name.trim_start_matches("\\fB").replace("\\-", "-");
            if name.starts_with("relate") {
                assert!(
                    pages.contains(&format!("{name}.1")),
                    "{page} refers to {name}(1)"
                );
            }
        }
    }
    assert!(pages.contains(&"relate.1".to_string()));
    assert!(
        !pages.iter().any(|p| p.contains("merge-driver")),
        "hidden commands have no page"
    );
}
