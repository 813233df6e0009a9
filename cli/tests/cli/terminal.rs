//! Output on a real terminal: the binary runs under `script`, which gives it a
//! pseudo-terminal, with `COLUMNS` and `LINES` saying the screen's size.

use std::process::Command;

use crate::common::TestEnv;

/// What `relate ARGS` shows on a terminal of `columns` x `rows` (stdout and
/// stderr as the terminal shows them, `\r` removed), with `extra` variables.
fn on_terminal(
    env: &TestEnv,
    columns: u16,
    rows: u16,
    extra: &[(&str, &str)],
    args: &[&str],
) -> String {
    let relate = assert_cmd::cargo::cargo_bin("relate");
    let quoted: Vec<String> = std::iter::once(relate.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
        .collect();
    let base = env.process();
    let mut command = Command::new("script");
    command.env_clear().current_dir(env.path());
    for (name, value) in base.get_envs() {
        if let Some(value) = value {
            command.env(name, value);
        }
    }
    command
        .env("COLUMNS", columns.to_string())
        .env("LINES", rows.to_string())
        .env("PAGER", "cat")
        .envs(extra.iter().copied())
        .args(["-qec", &quoted.join(" "), "/dev/null"]);
    let output = command.output().expect("`script` (util-linux) runs");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().replace('\r', "")
}

/// The basics with deals whose amounts, ids and dates must never break.
fn store_with_deals() -> TestEnv {
    let env = TestEnv::with_basics();
    for (id, title, amount) in [
        (
            "fleet",
            "Printer fleet refresh for the whole Amsterdam office and the Utrecht warehouse",
            "10729.44",
        ),
        ("toner", "Toner subscription", "540234"),
    ] {
        let args = [
            "deal",
            "new",
            "acme-corp",
            "--id",
            id,
            "--title",
            title,
            "--amount",
            amount,
        ];
        env.created(&args);
    }
    env
}

#[test]
fn at_80_columns_a_table_fits_and_never_splits_a_number_date_or_id() {
    let env = store_with_deals();
    let piped = env.run(&["deal", "list"]).ok();
    assert!(
        piped.lines().any(|line| line.chars().count() > 80),
        "piped, the table keeps its full width:\n{piped}"
    );
    // Nine columns do not fit in 80 even with the title cut: one block per
    // deal, each value whole on its line (a longer text wraps as the terminal
    // wraps it, never inside a table cell).
    let shown = on_terminal(&env, 80, 100, &[], &["deal", "list"]);
    assert!(shown.starts_with("id:"), "{shown}");
    for whole in [
        "fleet",
        "toner",
        "acme-corp",
        "10,729.44",
        "540,234.00",
        "qualification",
    ] {
        let whole_word = |line: &str| line.split_whitespace().any(|word| word == whole);
        assert!(
            shown.lines().any(whole_word),
            "`{whole}` is not whole:\n{shown}"
        );
    }

    // Where the free text can give way, the columns stay and it is cut with `…`.
    let env = TestEnv::new();
    let long = "Warehouse and logistics services of the greater Utrecht region";
    for (id, name) in [("wh", long), ("lp", "Laura Peters")] {
        env.created(&["customer", "add", name, "--id", id, "--set", "region=EU"]);
    }
    let shown = on_terminal(&env, 80, 100, &[], &["customer", "list"]);
    let lines: Vec<&str> = shown.lines().collect();
    assert!(
        lines[0].starts_with("id ") && lines.len() == 3,
        "columns, not blocks:\n{shown}"
    );
    assert!(
        lines.iter().all(|line| line.chars().count() <= 80),
        "{shown}"
    );
    assert!(
        lines[2].starts_with("wh  Warehouse") && lines[2].contains('…'),
        "{shown}"
    );
    assert!(
        lines[2].contains(" organization ") && lines[2].contains(" EU"),
        "{shown}"
    );
}

#[test]
fn on_a_narrow_terminal_each_row_becomes_a_block_of_whole_values() {
    let env = store_with_deals();
    let shown = on_terminal(&env, 40, 100, &[], &["deal", "list"]);
    let title = "Printer fleet refresh for the whole Amsterdam office and the Utrecht warehouse";
    assert!(
        shown.starts_with("id:") && shown.contains("10,729.44\n"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("title:          {title}\n")),
        "{shown}"
    );
}

#[test]
fn output_longer_than_the_screen_goes_through_the_pager_on_a_terminal_only() {
    let env = store_with_deals();
    let pager = [("PAGER", "sed s/^/paged:/")];
    let long = on_terminal(&env, 200, 3, &pager, &["deal", "list"]);
    let lines: Vec<&str> = long.lines().collect();
    assert!(
        lines.len() >= 3 && lines.iter().all(|l| l.starts_with("paged:")),
        "{long}"
    );
    // RELATE_PAGER comes before PAGER.
    let relate_pager = [("PAGER", "false"), ("RELATE_PAGER", "sed s/^/relate:/")];
    let chosen = on_terminal(&env, 200, 3, &relate_pager, &["deal", "list"]);
    assert!(chosen.lines().all(|l| l.starts_with("relate:")), "{chosen}");
    // What fits on the screen, --no-pager and a pipe are printed as they are.
    let short = on_terminal(&env, 200, 50, &pager, &["deal", "list"]);
    assert!(
        short.starts_with("id ") && !short.contains("paged:"),
        "{short}"
    );
    let no_pager = on_terminal(&env, 200, 3, &pager, &["--no-pager", "deal", "list"]);
    assert!(!no_pager.contains("paged:"), "{no_pager}");
    let mut piped = env.command();
    piped
        .env("PAGER", "sed s/^/paged:/")
        .env("LINES", "3")
        .args(["deal", "list"]);
    let out = String::from_utf8(piped.output().unwrap().stdout).unwrap();
    assert!(out.starts_with("id ") && !out.contains("paged:"), "{out}");
}

#[test]
fn columns_chooses_and_orders_the_columns_of_tables_csv_markdown_and_reports() {
    let env = store_with_deals();
    let table = env.run(&["deal", "list", "--columns", "amount,id"]).ok();
    assert_eq!(
        table,
        "amount      id\n 10,729.44  fleet\n540,234.00  toner\n"
    );
    let csv = env
        .run(&["--format", "csv", "--columns", "id,stage", "deal", "list"])
        .ok();
    assert_eq!(csv, "id,stage\nfleet,qualification\ntoner,qualification\n");
    let markdown = env
        .run(&["--format", "markdown", "deal", "list", "--columns", "id"])
        .ok();
    assert!(markdown.starts_with("| id |\n"), "{markdown}");
    let json = env
        .run(&["--format", "json", "deal", "list", "--columns", "id"])
        .ok();
    assert!(json.contains("\"title\""), "json keeps every field: {json}");
    let report = env
        .run(&[
            "--format",
            "csv",
            "report",
            "forecast",
            "--columns",
            "deals,month",
        ])
        .ok();
    assert_eq!(report, "deals,month\n2,\n");
    let stderr = env
        .run(&["deal", "list", "--columns", "id,amuont"])
        .fails(2);
    assert_eq!(
        stderr,
        "error: there is no column `amuont` here\n\
         hint: the columns are: id, customer, title, stage, amount, currency, owner, expected_close, closed\n"
    );
}
