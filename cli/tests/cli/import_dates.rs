//! Date-times as files write them: ISO 8601 with a `T` or a space, with or
//! without seconds, fractions and an offset. Those without an offset are in
//! the store's `timezone` (relate.yaml; UTC when it has none).

use crate::common::TestEnv;
use crate::import::record_with;

/// Imports one order per date-time in `ats` (each for 1 toner) and returns
/// each order's `at` as written to its file.
fn imported_at(env: &TestEnv, ats: &[&str], extra: &[&str]) -> Vec<String> {
    let rows: String = ats
        .iter()
        .enumerate()
        .map(|(n, at)| format!("O-{n},acme-corp,{at},toner\n"))
        .collect();
    let csv = format!("external_id,customer,at,product\n{rows}");
    let mut args = vec!["import", "orders", "-"];
    args.extend(extra);
    let out = env.run_with_stdin(&args, &csv);
    assert_eq!(out.code, 0, "{out:?}");
    (0..ats.len())
        .map(|n| {
            let order = record_with(env, "orders/", &format!("external_id: O-{n}\n"));
            order["at"].as_str().unwrap().to_string()
        })
        .collect()
}

fn set_timezone(env: &TestEnv, zone: &str) {
    let settings = env.read("relate.yaml");
    env.write("relate.yaml", &format!("{settings}\ntimezone: {zone}\n"));
}

#[test]
fn iso_date_times_without_an_offset_are_utc_by_default() {
    let env = TestEnv::with_basics();
    let ats = imported_at(
        &env,
        &[
            "2015-12-31T23:02:05",
            "2015-12-31 23:02:05",
            "2015-12-31T23:02",
            "2015-12-31T23:02:05.123456",
            "2015-12-31 23:02:05.5",
            "2015-12-31T23:02:05+01:00",
            "2015-12-31",
        ],
        &[],
    );
    assert_eq!(
        ats,
        [
            "2015-12-31T23:02:05Z",
            "2015-12-31T23:02:05Z",
            "2015-12-31T23:02:00Z",
            "2015-12-31T23:02:05Z",
            "2015-12-31T23:02:05Z",
            "2015-12-31T23:02:05+01:00",
            "2015-12-31T00:00:00Z",
        ],
        "records keep whole seconds"
    );
    let stderr = env
        .run_with_stdin(
            &["import", "orders", "-"],
            "customer,at,product\nacme-corp,2015-12-31T25:00:00,toner\n",
        )
        .fails(4);
    assert!(
        stderr.contains("-:2: `2015-12-31T25:00:00` is not a date-time"),
        "{stderr}"
    );
    assert!(stderr.contains("--date-format"), "{stderr}");
}

#[test]
fn the_timezone_setting_places_date_times_without_an_offset() {
    let env = TestEnv::with_basics();
    set_timezone(&env, "Europe/Amsterdam");
    env.run(&["check"]).ok();
    let ats = imported_at(
        &env,
        &[
            "2015-12-31T23:02:05",
            "2016-07-01 12:00",
            "2016-07-01",
            "2016-07-01T12:00:00Z",
            // The spring change skips 02:00-03:00: read as if the clocks had not moved.
            "2026-03-29T02:30:00",
            // The autumn change passes 02:00-03:00 twice: the first time.
            "2026-10-25T02:30:00",
        ],
        &[],
    );
    assert_eq!(
        ats,
        [
            "2015-12-31T23:02:05+01:00",
            "2016-07-01T12:00:00+02:00",
            "2016-07-01T00:00:00+02:00",
            "2016-07-01T12:00:00Z",
            "2026-03-29T03:30:00+02:00",
            "2026-10-25T02:30:00+02:00",
        ]
    );
}

#[test]
fn a_date_format_without_an_offset_is_in_the_timezone_too() {
    let env = TestEnv::with_basics();
    set_timezone(&env, "America/New_York");
    let ats = imported_at(
        &env,
        &["12/1/2010 8:26", "6/1/2010 8:26"],
        &["--date-format", "%m/%d/%Y %H:%M"],
    );
    assert_eq!(
        ats,
        ["2010-12-01T08:26:00-05:00", "2010-06-01T08:26:00-04:00"]
    );
    let customers = "name,created\nLena Berg,2010-12-02T03:30:00Z\n";
    env.run_with_stdin(&["import", "customers", "-"], customers)
        .ok();
    assert_eq!(
        env.yaml("customers/lena-berg.yaml")["created"],
        "2010-12-01",
        "the calendar day where the store is"
    );
}

#[test]
fn an_unknown_timezone_is_a_problem_of_relate_yaml() {
    let env = TestEnv::new();
    set_timezone(&env, "Mars/Olympus_Mons");
    let line = env.read("relate.yaml").lines().count();
    let check = env.run(&["check"]);
    assert_eq!(check.code, 4, "{check:?}");
    let stderr = env.run(&["customer", "list"]).fails(4);
    for report in [&check.stdout, &stderr] {
        assert!(
            report.contains(&format!(
                "relate.yaml:{line}: timezone: unknown timezone `Mars/Olympus_Mons`: use an IANA name such as Europe/Amsterdam, or UTC"
            )),
            "{report}"
        );
    }
    assert!(stderr.contains("hint: fix the file by hand"), "{stderr}");
}

#[test]
fn the_command_line_reads_date_times_as_imports_do() {
    let env = TestEnv::with_basics();
    set_timezone(&env, "Europe/Amsterdam");
    let args = [
        "log",
        "acme-corp",
        "--channel",
        "phone",
        "--summary",
        "Year-end call",
    ];
    env.run(&[&args[..], &["--at", "2015-12-31T23:02:05"]].concat())
        .ok();
    let call = record_with(&env, "interactions/", "summary: Year-end call");
    assert_eq!(call["at"], "2015-12-31T23:02:05+01:00");
    let stderr = env
        .run(&[&args[..], &["--at", "2015-12-31T25:02"]].concat())
        .fails(2);
    assert!(
        stderr.contains("`2015-12-31T25:02` is not a date-time"),
        "{stderr}"
    );
}
