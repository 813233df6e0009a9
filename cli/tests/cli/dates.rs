//! Dates typed on the command line: relative days, and a contact in the future.

use crate::common::TestEnv;

#[test]
fn relative_days_are_resolved_against_today_and_said() {
    // The tests' today is 2026-11-22, a Sunday.
    let env = TestEnv::with_basics();
    let run = env.run(&[
        "log",
        "acme-corp",
        "--channel",
        "phone",
        "--summary",
        "Call",
        "--at",
        "yesterday",
        "--follow-up",
        "fri",
    ]);
    assert_eq!(
        run.stderr,
        "note: `yesterday` is 2026-11-21\nnote: `fri` is 2026-11-27\n"
    );
    let id = run.ok().trim().to_string();
    let text = env.read(&format!("interactions/2026/11/{id}.yaml"));
    assert!(text.contains("at: 2026-11-21T00:00:00Z\n"), "{text}");
    assert!(text.contains("follow_up: 2026-11-27\n"), "{text}");
    let run = env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Refresh",
        "--close-by",
        "+1m",
    ]);
    assert_eq!(run.stderr, "note: `+1m` is 2026-12-22\n");
    let deal = run.ok().trim().to_string();
    let text = env.read(&format!("deals/{deal}.yaml"));
    assert!(text.contains("expected_close: 2026-12-22\n"), "{text}");
    // An explicit date says nothing.
    let run = env.run(&["order", "list", "--since", "2026-01-01"]);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_bad_relative_day_is_a_usage_error_and_writes_nothing() {
    let env = TestEnv::with_basics();
    let head = env.head();
    let stderr = env
        .run(&[
            "log",
            "acme-corp",
            "--channel",
            "phone",
            "--summary",
            "x",
            "--follow-up",
            "+3x",
        ])
        .fails(2);
    assert!(
        stderr.contains("`+3x` is not a date: use YYYY-MM-DD, today, yesterday, tomorrow, a weekday, or +3d, -2w, +1m, +1y"),
        "{stderr}"
    );
    // A day at the calendar's end would run a report's periods off it.
    let stderr = env
        .run(&[
            "report", "revenue", "--period", "year", "--as-of", "+260115y",
        ])
        .fails(2);
    assert!(
        stderr.contains("use a date between the years 1 and 9999"),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    assert!(!env.is_dirty());
}

#[test]
fn a_contact_in_the_future_needs_future() {
    let env = TestEnv::with_basics();
    let head = env.head();
    // A mistyped year.
    let stderr = env
        .run(&[
            "log",
            "acme-corp",
            "--channel",
            "phone",
            "--summary",
            "x",
            "--at",
            "2027-11-21",
        ])
        .fails(2);
    assert!(
        stderr.contains("error: 2027-11-21T00:00:00Z is in the future"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: give --future if the contact is planned"),
        "{stderr}"
    );
    assert_eq!(env.head(), head);
    assert!(!env.is_dirty());
    let id = env.created(&[
        "log",
        "acme-corp",
        "--channel",
        "meeting",
        "--summary",
        "Planned visit",
        "--at",
        "tomorrow",
        "--future",
    ]);
    assert!(id.starts_with("20261123t000000-"), "{id}");
    assert_eq!(env.git(&["rev-parse", "HEAD~1"]).trim(), head);
    assert_eq!(env.commits()[0], "log: meeting with acme-corp");
}
