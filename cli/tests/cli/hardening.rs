//! Files a teammate pushed, or a person typed, that once crashed, hung or
//! misled relate (issue 10): each gets one clear error naming its file and
//! line, with the documented exit code, and nothing is written.

use std::time::{Duration, Instant};

use crate::common::TestEnv;

/// A generous guard against hangs: far above what any of these takes.
const NO_HANG: Duration = Duration::from_secs(10);

#[test]
fn a_filter_nested_too_deeply_is_a_syntax_error_not_a_crash() {
    let env = TestEnv::with_basics();
    let settings = env.read("relate.yaml");
    let deep = format!("{}region = \"EU\"", "not ".repeat(30_000));
    env.write(
        "relate.yaml",
        &settings.replace(
            "segments: {}\n",
            &format!("segments:\n  deep:\n    where: '{deep}'\n"),
        ),
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4);
    assert!(
        run.stdout.starts_with(
            "relate.yaml: segments: `deep`: column 257: `not` and parentheses nest more than 64 levels deep here"
        ),
        "{run:?}"
    );
    let stderr = env.run(&["report", "segments"]).fails(4);
    assert!(
        stderr.starts_with("error: relate.yaml: segments: `deep`: column 257"),
        "{stderr}"
    );
    env.write("relate.yaml", &settings);
    let parens = format!(
        "{}region = \"EU\"{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let stderr = env.run(&["customer", "list", "--where", &parens]).fails(2);
    assert!(
        stderr.starts_with("error: invalid filter at column 65: `not` and parentheses nest more than 64 levels deep here"),
        "{stderr}"
    );
}

#[test]
fn yaml_nested_deeper_than_any_record_is_refused_at_once() {
    let env = TestEnv::with_basics();
    let depth = 100_000;
    let deep = format!(
        "id: deep\nname: Deep\nkind: person\nfields:\n  x: {}1{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    env.write("customers/deep.yaml", &deep);
    let started = Instant::now();
    let run = env.run(&["check"]);
    assert!(started.elapsed() < NO_HANG);
    assert_eq!(run.code, 4);
    assert_eq!(
        run.stdout,
        "customers/deep.yaml:5: nested more than 32 levels deep: no record is; the file is damaged\n"
    );
    let stderr = env.run(&["customer", "list"]).fails(4);
    assert!(
        stderr.starts_with("error: customers/deep.yaml:5: nested more than 32 levels"),
        "{stderr}"
    );
}

#[test]
fn a_byte_order_mark_is_no_error() {
    let env = TestEnv::with_basics();
    let text = env.read("customers/acme-corp.yaml");
    env.write("customers/acme-corp.yaml", &format!("\u{feff}{text}"));
    env.run(&["check"]).ok();
    let shown = env.run(&["customer", "show", "acme-corp"]).ok();
    assert!(shown.contains("Acme Corp"), "{shown}");
}

#[test]
fn a_file_dated_centuries_ahead_is_read_as_any_other() {
    let env = TestEnv::with_basics();
    let path = env.store().join("customers/acme-corp.yaml");
    // Past 2262, nanoseconds since 1970 no longer fit in 64 bits.
    let far = std::time::UNIX_EPOCH + Duration::from_secs(10_500_000_000);
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(far).unwrap();
    env.run(&["check"]).ok();
    for _ in 0..2 {
        let shown = env.run(&["customer", "show", "acme-corp"]).ok();
        assert!(shown.contains("Acme Corp"), "{shown}");
    }
    let found = env.run(&["search", "acme"]).ok();
    assert!(found.contains("acme-corp"), "{found}");
}

#[test]
fn a_duplicate_key_is_reported_at_its_line_and_an_unknown_key_with_a_suggestion() {
    let env = TestEnv::with_basics();
    let text = env.read("customers/acme-corp.yaml");
    env.write(
        "customers/acme-corp.yaml",
        &format!("{text}id: acme-corp\n"),
    );
    let line = text.lines().count() + 1;
    let stderr = env.run(&["customer", "show", "acme-corp"]).fails(4);
    assert!(
        stderr.starts_with(&format!(
            "error: customers/acme-corp.yaml:{line}: duplicate field `id`\n"
        )),
        "{stderr}"
    );
    env.write("customers/acme-corp.yaml", &format!("{text}regoin: EU\n"));
    let stderr = env.run(&["customer", "show", "acme-corp"]).fails(4);
    assert!(
        stderr.starts_with(&format!(
            "error: customers/acme-corp.yaml:{line}: unknown field `regoin`: did you mean `region`? (column 1)\n"
        )),
        "{stderr}"
    );
}

#[test]
fn a_record_folder_that_is_a_symlink_is_reported_and_not_read() {
    let env = TestEnv::with_basics();
    let outside = env.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(
        outside.join("intruder.yaml"),
        "id: intruder\nsku: intruder\nname: Intruder\nprice: 1\n",
    )
    .unwrap();
    std::fs::remove_dir_all(env.store().join("campaigns")).unwrap();
    std::os::unix::fs::symlink(&outside, env.store().join("campaigns")).unwrap();
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4);
    assert_eq!(
        run.stdout,
        "campaigns: a symlink: relate never follows links in the store, so no record in it is read; replace it with the folder\n"
    );
    let listed = env.run(&["--format", "json", "campaign", "list"]).ok();
    assert_eq!(listed.trim(), "[]");
}

#[test]
fn clone_never_reads_an_address_as_an_option() {
    let env = TestEnv::empty();
    let pwned = env.path().join("PWNED");
    let upload_pack = format!("--upload-pack=touch {}; git-upload-pack", pwned.display());
    let stderr = env
        .run(&["clone", "--", &upload_pack, "file:///nowhere.git"])
        .fails(2);
    assert!(
        stderr.starts_with("error: `--upload-pack=touch "),
        "{stderr}"
    );
    assert!(stderr.contains("is not an address of a store"), "{stderr}");
    assert!(!pwned.exists(), "no command ran");
}

#[test]
fn amounts_beyond_the_documented_maximum_are_refused_never_overflowed() {
    let env = TestEnv::with_basics();
    let huge = "79228162514264337593543950";
    let stderr = env
        .run(&[
            "order",
            "add",
            "acme-corp",
            "--line",
            &format!("toner:{huge}:{huge}"),
        ])
        .fails(2);
    assert!(
        stderr.contains(&format!(
            "{huge} is beyond the largest amount relate keeps, 1000000000000000"
        )),
        "{stderr}"
    );
    // A teammate's hand edit: a quantity that fits in no integer relate keeps.
    let order = "id: 20261101t100000-aaaaa\ncustomer: acme-corp\nat: 2026-11-01T10:00:00Z\n\
                 lines:\n- product: toner\n  quantity: 18446744073709551615\n  price: 50000000000\n";
    env.write("orders/2026/11/20261101t100000-aaaaa.yaml", order);
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4);
    assert!(
        run.stdout.starts_with("orders/2026/11/20261101t100000-aaaaa.yaml:6: lines[0].quantity: 18446744073709551615 is beyond the largest amount relate keeps"),
        "{run:?}"
    );
    for report in [
        ["report", "segments"],
        ["report", "rfm"],
        ["report", "value"],
    ] {
        let stderr = env.run(&report).fails(4);
        assert!(
            stderr.starts_with("error: orders/2026/11/20261101t100000-aaaaa.yaml:6:"),
            "{stderr}"
        );
    }
    // Lines that are each within bounds but sum beyond them.
    let many = "id: 20261101t100000-aaaaa\ncustomer: acme-corp\nat: 2026-11-01T10:00:00Z\nlines:\n"
        .to_string()
        + &"- product: toner\n  quantity: 1000000000\n  price: 1000000000000000\n".repeat(3);
    env.write("orders/2026/11/20261101t100000-aaaaa.yaml", &many);
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4);
    assert!(
        run.stdout
            .contains("the lines sum to more than the largest amount relate keeps"),
        "{run:?}"
    );
    let stderr = env.run(&["customer", "show", "acme-corp"]).fails(4);
    assert!(stderr.contains("the lines sum to more than"), "{stderr}");
}

#[test]
fn a_negative_amount_reaches_relate_s_own_validation() {
    let env = TestEnv::with_basics();
    let head = env.head();
    for args in [
        &[
            "deal",
            "new",
            "acme-corp",
            "--title",
            "x",
            "--amount",
            "-100",
        ][..],
        &["order", "add", "acme-corp", "--total", "-100"],
        &["product", "add", "x", "--name", "X", "--price", "-1.5"],
    ] {
        let stderr = env.run(args).fails(2);
        assert!(stderr.contains("is negative"), "{args:?}: {stderr}");
        assert!(!stderr.contains("unexpected argument"), "{stderr}");
    }
    assert_eq!(env.head(), head);
}

#[test]
fn terminal_escapes_from_the_store_are_shown_never_obeyed() {
    let env = TestEnv::with_basics();
    env.write(
        "evil.mbox",
        "From ana@example.com Mon Nov  2 10:15:00 2026\n\
         From: Ana Lima <ana@example.com>\n\
         To: support@team.example\n\
         Date: Mon, 02 Nov 2026 10:15:00 +0100\n\
         Message-ID: <evil-1@example.com>\n\
         Subject: =?utf-8?q?Invoice=1B]0;PWNED=07=1B[2J?=\n\
         \n\
         body\n",
    );
    let mbox = env.store().join("evil.mbox");
    env.run(&["import", "mail", mbox.to_str().unwrap()]).ok();
    // The record keeps what was sent; JSON quotes it.
    let json = env
        .run(&["--format", "json", "customer", "show", "ana-lima"])
        .ok();
    assert!(
        json.contains(r"Invoice\u001b]0;PWNED\u0007\u001b[2J"),
        "{json}"
    );
    // A terminal sees the escapes spelled out, never the bytes.
    let shown = env.run(&["customer", "show", "ana-lima"]).ok();
    assert!(
        !shown.contains('\x1b') && !shown.contains('\x07'),
        "{shown:?}"
    );
    assert!(
        shown.contains(r"Invoice\u{1b}]0;PWNED\u{7}\u{1b}[2J"),
        "{shown}"
    );
    // Names too, in tables and in messages.
    env.run(&["customer", "add", "Evil\x1b]0;x\x07 Corp"]).ok();
    let list = env.run(&["customer", "list"]).ok();
    assert!(
        !list.contains('\x1b') && list.contains(r"Evil\u{1b}]0;x\u{7} Corp"),
        "{list}"
    );
    // check points at both records, and refuses nothing for it.
    std::fs::remove_file(&mbox).unwrap();
    let run = env.run(&["check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "");
    let warnings: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warnings.len(), 2, "{run:?}");
    assert!(
        warnings[0]
            .starts_with("warning: customers/evil-0-x-corp.yaml: a text holds a control character"),
        "{run:?}"
    );
    assert!(
        warnings[1].starts_with("warning: interactions/2026/11/"),
        "{run:?}"
    );
}

#[test]
fn a_file_that_does_not_parse_is_reported_once_with_the_records_it_affects() {
    let env = TestEnv::with_basics();
    for n in 0..3 {
        env.run(&[
            "log",
            "acme-corp",
            "--channel",
            "phone",
            "--summary",
            &format!("call {n}"),
        ])
        .ok();
    }
    let text = env.read("customers/acme-corp.yaml");
    env.write(
        "customers/acme-corp.yaml",
        &text.replace("created: 2026-11-22", "created: 2026-13-45"),
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    assert!(
        lines[0].starts_with("customers/acme-corp.yaml:"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with("(3 records refer to it)"),
        "{}",
        lines[0]
    );
}

#[test]
fn reports_and_lists_refuse_a_record_check_refuses() {
    let env = TestEnv::with_basics();
    let deal = env.created(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Printers",
        "--line",
        "printer:2",
    ]);
    let path = format!("deals/{deal}.yaml");
    env.write(
        &path,
        &env.read(&path)
            .replace("stage: qualification", "stage: closed-won"),
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4);
    let stderr = env.run(&["report", "funnel"]).fails(4);
    assert!(stderr.starts_with(&format!("error: {path}:")), "{stderr}");
    assert!(stderr.contains("unknown stage `closed-won`"), "{stderr}");
    env.write(
        &path,
        &env.read(&path)
            .replace("stage: closed-won", "stage: qualification"),
    );
    // An id that is not its file's name.
    env.run(&["order", "add", "acme-corp", "--line", "toner:1"])
        .ok();
    let acme = env.read("customers/acme-corp.yaml");
    env.write(
        "customers/acme-corp.yaml",
        &acme.replace("id: acme-corp", "id: acme"),
    );
    let stderr = env.run(&["customer", "show", "acme-corp"]).fails(4);
    assert!(
        stderr.starts_with("error: customers/acme-corp.yaml:1: id `acme` differs from the file name `acme-corp.yaml`"),
        "{stderr}"
    );
}

#[test]
fn relate_yaml_that_is_not_text_or_has_no_pipeline_is_invalid_data() {
    let env = TestEnv::with_basics();
    let settings = env.read("relate.yaml");
    std::fs::write(env.store().join("relate.yaml"), b"schema: 1\n\xff\xfe\n").unwrap();
    let stderr = env.run(&["customer", "list"]).fails(4);
    assert!(
        stderr.starts_with("error: relate.yaml: not UTF-8 text"),
        "{stderr}"
    );
    let no_pipeline = settings
        .lines()
        .scan(false, |skipping, line| {
            if line.starts_with("pipeline:") {
                *skipping = true;
                return Some(Some("pipeline: []".to_string()));
            }
            if *skipping && (line.starts_with(' ') || line.starts_with('-')) {
                return Some(None);
            }
            *skipping = false;
            Some(Some(line.to_string()))
        })
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    env.write("relate.yaml", &(no_pipeline + "\n"));
    let stderr = env.run(&["deal", "list"]).fails(4);
    assert!(
        stderr.starts_with("error: relate.yaml: pipeline: at least one open stage is needed"),
        "{stderr}"
    );
}
