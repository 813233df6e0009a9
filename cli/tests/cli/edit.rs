//! `relate edit ID`: any record in $EDITOR, found by its id.

use crate::common::TestEnv;
use crate::customer::editor_script;

/// `relate edit ARGS` with `editor` as $EDITOR and `stdin` as the answers.
fn edit(env: &TestEnv, editor: &str, args: &[&str], stdin: &str) -> (i32, String) {
    let out = env
        .command()
        .env("EDITOR", editor)
        .arg("edit")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn edit_finds_a_record_of_any_kind_and_commits_it() {
    let env = TestEnv::with_basics();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Refresh",
        "--line",
        "printer:2",
    ])
    .ok();
    let editor = editor_script(
        &env,
        r#"sed -i 's/^title: Refresh$/title: Printer refresh/' "$1""#,
    );
    let (code, stderr) = edit(&env, &editor, &["acme-corp-refresh"], "");
    assert_eq!(
        (code, stderr.as_str()),
        (0, "Updated deal acme-corp-refresh.\n")
    );
    assert_eq!(
        env.yaml("deals/acme-corp-refresh.yaml")["title"],
        "Printer refresh"
    );
    assert_eq!(env.commits()[0], "deal edit: acme-corp-refresh");
    assert_eq!(env.last_commit_files(), ["deals/acme-corp-refresh.yaml"]);
    // Saved unchanged: nothing is written.
    let head = env.head();
    let (code, stderr) = edit(&env, "true", &["acme-corp-refresh"], "");
    assert_eq!((code, stderr.as_str()), (0, "No changes.\n"));
    assert_eq!(env.head(), head);
}

#[test]
fn edit_moves_a_dated_record_whose_month_changed() {
    let env = TestEnv::with_basics();
    let id = env.created(&[
        "order",
        "add",
        "acme-corp",
        "--line",
        "toner:3",
        "--at",
        "2026-10-05",
    ]);
    let editor = editor_script(&env, r#"sed -i 's/^at: 2026-10-05/at: 2026-09-05/' "$1""#);
    let (code, stderr) = edit(&env, &editor, &[&id], "");
    assert_eq!(code, 0, "{stderr}");
    let (old, new) = (
        format!("orders/2026/10/{id}.yaml"),
        format!("orders/2026/09/{id}.yaml"),
    );
    assert_eq!(env.last_commit_files(), [new.clone(), old.clone()]);
    assert!(env.files().contains(&new) && !env.files().contains(&old));
    assert_eq!(env.git_status(), "");
}

#[test]
fn edit_refuses_ambiguous_unknown_and_invalid_edits() {
    let env = TestEnv::with_basics();
    env.run(&[
        "asset",
        "add",
        "acme-corp",
        "--product",
        "printer",
        "--id",
        "printer",
    ])
    .ok();
    let head = env.head();
    let editor = editor_script(&env, r#"sed -i 's/^name: .*/name: Laser/' "$1""#);
    let (code, stderr) = edit(&env, &editor, &["printer"], "");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("`printer` is the id of a product and of an asset"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: say which with --kind"), "{stderr}");
    let (code, stderr) = edit(&env, &editor, &["printr"], "");
    assert_eq!(code, 3, "{stderr}");
    // An invalid result, then "no" to editing again: exit 4, nothing written.
    let breaker = editor_script(&env, r#"sed -i 's/^price: .*/price: -1/' "$1""#);
    let (code, stderr) = edit(&env, &breaker, &["printer", "--kind", "product"], "n\n");
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("price must not be negative"), "{stderr}");
    let renamer = editor_script(&env, r#"sed -i 's/^id: .*/id: other/' "$1""#);
    let (code, stderr) = edit(&env, &renamer, &["printer", "--kind", "asset"], "");
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("the id cannot be changed"), "{stderr}");
    assert_eq!(env.head(), head);
    assert_eq!(env.git_status(), "");
    // --kind picks one (editor_script rewrites one script: make it again).
    let editor = editor_script(&env, r#"sed -i 's/^name: .*/name: Laser/' "$1""#);
    let (code, stderr) = edit(&env, &editor, &["printer", "--kind", "product"], "");
    assert_eq!((code, stderr.as_str()), (0, "Updated product printer.\n"));
    assert_eq!(env.yaml("products/printer.yaml")["name"], "Laser");
}
