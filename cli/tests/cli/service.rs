//! Tickets, assets, `report service` and `report assets` through the CLI; every
//! expected figure is worked out by hand in the comments. The clock is
//! 2026-11-22T10:15:00Z.

use serde::Deserialize;

use crate::common::TestEnv;

/// `ticket show --format json`, and each element of `ticket list`.
/// A record as in its file: unset optional fields are absent, not `null`
/// (docs/cli.md), so a missing key is a `None` here, not an error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ticket {
    id: String,
    customer: String,
    subject: String,
    kind: String,
    priority: String,
    status: String,
    owner: Option<String>,
    asset: Option<String>,
    product: Option<String>,
    opened: String,
    first_response: Option<String>,
    resolved: Option<String>,
    history: Vec<Event>,
}

/// An event in a ticket's history, as in the file: `by` and `note` are absent
/// when unset, so a missing key is a `None` here, not an error.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Event {
    status: String,
    at: String,
    by: Option<String>,
    note: Option<String>,
}

/// `asset show --format json`, and each element of `asset list`.
/// A record as in its file: unset optional fields are absent, not `null`
/// (docs/cli.md), so a missing key is a `None` here, not an error.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Asset {
    id: String,
    customer: String,
    product: String,
    serial: Option<String>,
    installed: Option<String>,
    warranty_until: Option<String>,
    service_every_days: Option<u32>,
    last_service: Option<String>,
}

fn event(status: &str, at: &str, note: Option<&str>) -> Event {
    Event {
        status: status.into(),
        at: at.into(),
        by: Some("Test User".into()),
        note: note.map(String::from),
    }
}

/// The basics plus a printer at acme-corp.
fn with_printer() -> TestEnv {
    let env = TestEnv::with_basics();
    env.created(&[
        "asset",
        "add",
        "acme-corp",
        "--product",
        "printer",
        "--serial",
        "LP-7",
        "--installed",
        "2021-05-01",
    ]);
    env
}

#[test]
fn a_ticket_from_opening_to_resolution_and_back() {
    let env = with_printer();
    let id = env.created(&[
        "ticket",
        "open",
        "acme-corp",
        "--subject",
        "Printer jams",
        "--kind",
        "repair",
        "--priority",
        "high",
        "--asset",
        "acme-corp-printer",
        "--note",
        "E7 error",
        "--at",
        "2026-11-22T08:00:00Z",
    ]);
    assert_eq!(id, "acme-corp-printer-jams");
    assert_eq!(
        env.commits()[0],
        "ticket open: acme-corp-printer-jams for acme-corp"
    );
    assert_eq!(
        env.last_commit_files(),
        ["tickets/acme-corp-printer-jams.yaml"]
    );
    assert_eq!(
        env.read("tickets/acme-corp-printer-jams.yaml"),
        "id: acme-corp-printer-jams\ncustomer: acme-corp\nsubject: Printer jams\nkind: repair\n\
         priority: high\nstatus: open\nasset: acme-corp-printer\nproduct: printer\n\
         opened: 2026-11-22T08:00:00Z\nhistory:\n- status: open\n  at: 2026-11-22T08:00:00Z\n\
         \x20 by: Test User\n  note: E7 error\n"
    );

    env.run(&[
        "ticket",
        "update",
        &id,
        "--status",
        "waiting",
        "--note",
        "asked for a photo",
    ])
    .ok();
    env.run(&["ticket", "resolve", &id, "--note", "roller replaced"])
        .ok();
    assert_eq!(
        env.commits()[0],
        "ticket resolve: acme-corp-printer-jams (resolved)"
    );
    env.run(&["ticket", "reopen", &id, "--at", "2026-11-22T11:00:00Z"])
        .ok();

    let ticket: Ticket = env.json(&["ticket", "show", &id]);
    assert_eq!(
        (
            ticket.customer.as_str(),
            ticket.subject.as_str(),
            ticket.kind.as_str()
        ),
        ("acme-corp", "Printer jams", "repair")
    );
    assert_eq!(
        (ticket.priority.as_str(), ticket.status.as_str()),
        ("high", "open")
    );
    assert_eq!(ticket.owner, None, "relate.yaml lists no team");
    assert_eq!(ticket.asset.as_deref(), Some("acme-corp-printer"));
    assert_eq!(
        ticket.product.as_deref(),
        Some("printer"),
        "the asset's product"
    );
    assert_eq!(ticket.opened, "2026-11-22T08:00:00Z");
    // Resolved without a logged reply: the resolution was the first response.
    assert_eq!(
        ticket.first_response.as_deref(),
        Some("2026-11-22T10:15:00Z")
    );
    assert_eq!(ticket.resolved, None, "reopened");
    assert_eq!(
        ticket.history,
        [
            event("open", "2026-11-22T08:00:00Z", Some("E7 error")),
            event("waiting", "2026-11-22T10:15:00Z", Some("asked for a photo")),
            event("resolved", "2026-11-22T10:15:00Z", Some("roller replaced")),
            event("open", "2026-11-22T11:00:00Z", None),
        ]
    );
    let open: Vec<Ticket> = env.json(&["ticket", "list", "--open", "--priority", "high"]);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, id);
    let waiting: Vec<Ticket> = env.json(&["ticket", "list", "--status", "waiting"]);
    assert!(waiting.is_empty());
    let table = env.run(&["ticket", "show", &id]).ok();
    assert!(
        table.contains("first_response  2026-11-22T12:00:00Z  2026-11-22T10:15:00Z  no"),
        "{table}"
    );
}

#[test]
fn refused_ticket_changes_exit_1_and_write_nothing() {
    let env = TestEnv::with_basics();
    let id = env.created(&["ticket", "open", "ana-lima", "--subject", "Invoice?"]);
    let commits = env.commits().len();
    let stderr = env.run(&["ticket", "reopen", &id]).fails(1);
    assert!(stderr.contains("is not resolved (open)"), "{stderr}");
    let stderr = env
        .run(&["ticket", "update", &id, "--status", "resolved"])
        .fails(1);
    assert!(
        stderr.contains("hint: resolve it with `relate ticket resolve ana-lima-invoice`"),
        "{stderr}"
    );
    let stderr = env
        .run(&["ticket", "update", &id, "--note", "x", "--at", "2026-11-01"])
        .fails(1);
    assert!(
        stderr.contains("before the ticket's last change"),
        "{stderr}"
    );
    env.run(&["ticket", "resolve", &id]).ok();
    let stderr = env.run(&["ticket", "resolve", &id]).fails(1);
    assert!(
        stderr.contains("hint: to work on it again, `relate ticket reopen ana-lima-invoice`"),
        "{stderr}"
    );
    let stderr = env.run(&["ticket", "update", &id, "--note", "x"]).fails(1);
    assert!(stderr.contains("is resolved"), "{stderr}");
    assert_eq!(env.commits().len(), commits + 1, "only the resolve");
    assert!(!env.is_dirty());
}

#[test]
fn bad_ticket_arguments_are_usage_errors_or_not_found() {
    let env = with_printer();
    let files = env.files();
    let stderr = env
        .run(&["ticket", "open", "nobody", "--subject", "x"])
        .fails(3);
    assert!(stderr.contains("no customer `nobody`"), "{stderr}");
    let stderr = env
        .run(&[
            "ticket",
            "open",
            "ana-lima",
            "--subject",
            "x",
            "--asset",
            "acme-corp-printer",
        ])
        .fails(2);
    assert!(
        stderr.contains("asset `acme-corp-printer` belongs to `acme-corp`, not `ana-lima`"),
        "{stderr}"
    );
    let stderr = env
        .run(&[
            "ticket",
            "open",
            "acme-corp",
            "--subject",
            "x",
            "--asset",
            "acme-corp-printer",
            "--product",
            "toner",
        ])
        .fails(2);
    assert!(stderr.contains("is a `printer`, not a `toner`"), "{stderr}");
    let stderr = env
        .run(&[
            "ticket",
            "open",
            "acme-corp",
            "--subject",
            "x",
            "--priority",
            "critical",
        ])
        .fails(2);
    assert!(
        stderr.contains("possible values: urgent, high, normal, low"),
        "{stderr}"
    );
    let stderr = env
        .run(&["ticket", "open", "acme-corp", "--subject", " "])
        .fails(2);
    assert!(stderr.contains("`subject` must not be empty"), "{stderr}");
    let stderr = env
        .run(&["ticket", "update", "nothing-here", "--note", "x"])
        .fails(3);
    assert!(stderr.contains("no ticket `nothing-here`"), "{stderr}");
    let stderr = env.run(&["ticket", "update", "x"]).fails(2);
    assert!(
        stderr.contains("give --status, --priority, --owner or --note"),
        "{stderr}"
    );
    assert_eq!(env.files(), files, "nothing written");
}

#[test]
fn a_reply_logged_about_a_ticket_is_its_first_response() {
    let env = TestEnv::with_basics();
    let ticket = env.created(&[
        "ticket",
        "open",
        "ana-lima",
        "--subject",
        "Invoice?",
        "--at",
        "2026-11-22T09:00:00Z",
    ]);
    // The customer writing again is no response.
    env.created(&[
        "log",
        "ana-lima",
        "--channel",
        "email",
        "--summary",
        "Any news?",
        "--ticket",
        &ticket,
        "--direction",
        "inbound",
        "--at",
        "2026-11-22T09:30:00Z",
    ]);
    assert_eq!(env.last_commit_files().len(), 1, "the interaction only");
    let reply = env.created(&[
        "log",
        "ana-lima",
        "--channel",
        "email",
        "--summary",
        "Re: Invoice?",
        "--ticket",
        &ticket,
        "--at",
        "2026-11-22T10:00:00Z",
    ]);
    let rel = format!("interactions/2026/11/{reply}.yaml");
    assert_eq!(env.commits()[0], "log: e-mail with ana-lima");
    assert_eq!(
        env.last_commit_files(),
        [rel.clone(), format!("tickets/{ticket}.yaml")]
    );
    let interaction = env.yaml(&rel);
    assert_eq!(interaction["ticket"], ticket.as_str());
    assert_eq!(
        interaction["purpose"], "service",
        "the default with --ticket"
    );
    assert_eq!(
        env.yaml(&format!("tickets/{ticket}.yaml"))["first_response"],
        "2026-11-22T10:00:00Z"
    );
    // A second reply leaves the first response alone and writes the interaction only.
    env.created(&[
        "log",
        "ana-lima",
        "--channel",
        "phone",
        "--summary",
        "Called",
        "--ticket",
        &ticket,
    ]);
    assert_eq!(env.last_commit_files().len(), 1);
    assert_eq!(
        env.yaml(&format!("tickets/{ticket}.yaml"))["first_response"],
        "2026-11-22T10:00:00Z"
    );

    let stderr = env
        .run(&[
            "log",
            "acme-corp",
            "--channel",
            "email",
            "--summary",
            "x",
            "--ticket",
            &ticket,
        ])
        .fails(2);
    assert!(
        stderr.contains("ticket `ana-lima-invoice` belongs to `ana-lima`, not `acme-corp`"),
        "{stderr}"
    );
    let stderr = env
        .run(&[
            "log",
            "acme-corp",
            "--channel",
            "email",
            "--summary",
            "x",
            "--ticket",
            "nope",
        ])
        .fails(3);
    assert!(stderr.contains("no ticket `nope`"), "{stderr}");
}

#[test]
fn assets_are_added_serviced_and_listed() {
    let env = TestEnv::with_basics();
    let id = env.created(&[
        "asset",
        "add",
        "acme-corp",
        "--product",
        "printer",
        "--serial",
        "LP-7",
        "--installed",
        "2026-01-01",
        "--warranty-until",
        "2027-11-22",
        "--service-every",
        "90",
    ]);
    assert_eq!(id, "acme-corp-printer");
    assert_eq!(
        env.commits()[0],
        "asset add: acme-corp-printer for acme-corp"
    );
    assert_eq!(env.last_commit_files(), ["assets/acme-corp-printer.yaml"]);
    assert_eq!(
        env.read("assets/acme-corp-printer.yaml"),
        "id: acme-corp-printer\ncustomer: acme-corp\nproduct: printer\nserial: LP-7\n\
         installed: 2026-01-01\nwarranty_until: 2027-11-22\nservice_every_days: 90\n"
    );
    let second = env.created(&["asset", "add", "acme-corp", "--product", "printer"]);
    assert_eq!(second, "acme-corp-printer-2");
    assert_eq!(
        env.yaml("assets/acme-corp-printer-2.yaml")["installed"],
        "2026-11-22",
        "today"
    );

    let visit = env.created(&[
        "asset",
        "service",
        &id,
        "--at",
        "2026-11-20T14:00:00Z",
        "--owner",
        "bob",
    ]);
    assert_eq!(
        env.commits()[0],
        "asset service: acme-corp-printer (meeting)"
    );
    let rel = format!("interactions/2026/11/{visit}.yaml");
    assert_eq!(
        env.last_commit_files(),
        [format!("assets/{id}.yaml"), rel.clone()]
    );
    assert_eq!(
        env.read(&rel),
        format!(
            "id: {visit}\ncustomer: acme-corp\nat: 2026-11-20T14:00:00Z\nchannel: meeting\n\
             direction: outbound\npurpose: service\nowner: bob\nsummary: Maintenance of acme-corp-printer\n"
        )
    );
    // An older visit logged late does not move the last service back.
    env.created(&["asset", "service", &id, "--at", "2026-10-01"]);
    let asset: Asset = env.json(&["asset", "show", &id]);
    assert_eq!(
        asset,
        Asset {
            id: id.clone(),
            customer: "acme-corp".into(),
            product: "printer".into(),
            serial: Some("LP-7".into()),
            installed: Some("2026-01-01".into()),
            warranty_until: Some("2027-11-22".into()),
            service_every_days: Some(90),
            last_service: Some("2026-11-20".into()),
        }
    );
    let listed: Vec<Asset> = env.json(&["asset", "list", "--customer", "acme-corp"]);
    assert_eq!(listed.len(), 2);
    // 2026-11-20 + 90 days: 11-30 is 10 on, 12-31 41, 2027-01-31 72, so 02-18 is 90.
    let table = env.run(&["asset", "list"]).ok();
    let row = table
        .lines()
        .find(|l| l.starts_with("acme-corp-printer "))
        .unwrap();
    assert!(row.ends_with("2026-11-20    2027-02-18"), "{table}");

    let files = env.files();
    let stderr = env
        .run(&["asset", "add", "acme-corp", "--product", "nope"])
        .fails(3);
    assert!(stderr.contains("no product `nope`"), "{stderr}");
    let stderr = env
        .run(&[
            "asset",
            "add",
            "acme-corp",
            "--product",
            "printer",
            "--service-every",
            "0",
        ])
        .fails(2);
    assert!(stderr.contains("--service-every"), "{stderr}");
    let stderr = env
        .run(&[
            "asset",
            "add",
            "acme-corp",
            "--product",
            "printer",
            "--installed",
            "2026-01-01",
            "--warranty-until",
            "2025-01-01",
        ])
        .fails(2);
    assert!(
        stderr.contains("`warranty_until` is before the installation on 2026-01-01"),
        "{stderr}"
    );
    let stderr = env.run(&["asset", "service", "acme-corp-printr"]).fails(3);
    assert!(
        stderr.contains("did you mean `acme-corp-printer`?"),
        "{stderr}"
    );
    let stderr = env
        .run(&["asset", "service", &id, "--channel", "pigeon"])
        .fails(2);
    assert!(stderr.contains("unknown channel `pigeon`"), "{stderr}");
    assert_eq!(env.files(), files, "nothing written");
    assert!(!env.is_dirty());
}

/// Four tickets with the default SLAs (hours to first response / resolution:
/// urgent 1/8, high 4/24, normal 8/72, low 24/168), the clock at 11-22 10:15:
///
/// | ticket   | customer  | priority | product | opened      | reply       | resolved    |
/// | a-jam    | acme-corp | urgent   | printer | 11-22 08:15 | 11-22 08:45 | 11-22 09:15 |
/// | b-login  | ana-lima  | high     | -       | 11-20 10:15 | 11-20 16:15 | -           |
/// | c-noise  | ana-lima  | low      | printer | 11-01 10:15 | -           | -           |
/// | d-toner  | acme-corp | normal   | toner   | 11-10 10:15 | (resolve)   | 11-12 10:15 |
fn tickets_store() -> TestEnv {
    let env = with_printer();
    let open = |customer: &str, id: &str, priority: &str, at: &str, extra: &[&str]| {
        let mut args = vec![
            "ticket",
            "open",
            customer,
            "--subject",
            id,
            "--id",
            id,
            "--priority",
            priority,
            "--at",
            at,
        ];
        args.extend(extra);
        env.created(&args);
    };
    let reply = |customer: &str, ticket: &str, at: &str| {
        env.created(&[
            "log",
            customer,
            "--channel",
            "email",
            "--summary",
            "Re",
            "--ticket",
            ticket,
            "--at",
            at,
        ]);
    };
    open(
        "acme-corp",
        "a-jam",
        "urgent",
        "2026-11-22T08:15:00Z",
        &["--asset", "acme-corp-printer"],
    );
    reply("acme-corp", "a-jam", "2026-11-22T08:45:00Z");
    env.run(&["ticket", "resolve", "a-jam", "--at", "2026-11-22T09:15:00Z"])
        .ok();
    open("ana-lima", "b-login", "high", "2026-11-20T10:15:00Z", &[]);
    reply("ana-lima", "b-login", "2026-11-20T16:15:00Z");
    open(
        "ana-lima",
        "c-noise",
        "low",
        "2026-11-01T10:15:00Z",
        &["--product", "printer"],
    );
    open(
        "acme-corp",
        "d-toner",
        "normal",
        "2026-11-10T10:15:00Z",
        &["--product", "toner"],
    );
    env.run(&[
        "ticket",
        "resolve",
        "d-toner",
        "--at",
        "2026-11-12T10:15:00Z",
    ])
    .ok();
    env
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceReport {
    summary: Summary,
    open: Vec<OpenRow>,
    breaches: Vec<Breach>,
    customers: Vec<CountRow>,
    products: Vec<CountRow>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Summary {
    tickets: u64,
    open: u64,
    resolved: u64,
    #[serde(deserialize_with = "crate::common::present")]
    median_first_response_hours: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    median_resolution_hours: Option<f64>,
    first_response_breaches: u64,
    resolution_breaches: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct OpenRow {
    priority: String,
    open: u64,
    age_under_1d: u64,
    age_1_to_7d: u64,
    age_7_to_30d: u64,
    age_over_30d: u64,
    #[serde(deserialize_with = "crate::common::present")]
    oldest_age_days: Option<f64>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Breach {
    ticket: String,
    customer: String,
    priority: String,
    sla: String,
    due: String,
    #[serde(deserialize_with = "crate::common::present")]
    met: Option<String>,
    hours_late: f64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct CountRow {
    #[serde(deserialize_with = "crate::common::present")]
    id: Option<String>,
    tickets: u64,
    open: u64,
    breached: u64,
}

fn open_row(priority: &str, open: u64, ages: [u64; 4], oldest: Option<f64>) -> OpenRow {
    OpenRow {
        priority: priority.into(),
        open,
        age_under_1d: ages[0],
        age_1_to_7d: ages[1],
        age_7_to_30d: ages[2],
        age_over_30d: ages[3],
        oldest_age_days: oldest,
    }
}

fn breach(
    ticket: &str,
    customer: &str,
    priority: &str,
    sla: &str,
    due: &str,
    met: Option<&str>,
    hours_late: f64,
) -> Breach {
    Breach {
        ticket: ticket.into(),
        customer: customer.into(),
        priority: priority.into(),
        sla: sla.into(),
        due: due.into(),
        met: met.map(String::from),
        hours_late,
    }
}

fn count(id: Option<&str>, tickets: u64, open: u64, breached: u64) -> CountRow {
    CountRow {
        id: id.map(String::from),
        tickets,
        open,
        breached,
    }
}

#[test]
fn report_service_figures() {
    let env = tickets_store();
    let report: ServiceReport = env.json(&["report", "service"]);
    // First responses: a 0.5 h, b 6 h, d 48 h (its resolution) -> median 6.
    // Resolutions: a 1 h, d 48 h -> (1 + 48) / 2 = 24.5.
    // First response missed: b (6 h > 4), c (none after 24 h), d (48 h > 8).
    // Resolution missed: b (open after 24 h), c (open after 168 h).
    assert_eq!(
        report.summary,
        Summary {
            tickets: 4,
            open: 2,
            resolved: 2,
            median_first_response_hours: Some(6.0),
            median_resolution_hours: Some(24.5),
            first_response_breaches: 3,
            resolution_breaches: 2,
        }
    );
    // b is 2 days old, c 21 days.
    assert_eq!(
        report.open,
        [
            open_row("urgent", 0, [0, 0, 0, 0], None),
            open_row("high", 1, [0, 1, 0, 0], Some(2.0)),
            open_row("normal", 0, [0, 0, 0, 0], None),
            open_row("low", 1, [0, 0, 1, 0], Some(21.0)),
        ]
    );
    // c: first response due 11-02 10:15, pending 20 days = 480 h; resolution due
    // 11-08 10:15, 14 days = 336 h. d: due 11-10 18:15, met 11-12 10:15: 40 h.
    // b: due 11-20 14:15, met 16:15: 2 h; resolution due 11-21 10:15: 24 h.
    assert_eq!(
        report.breaches,
        [
            breach(
                "c-noise",
                "ana-lima",
                "low",
                "first_response",
                "2026-11-02T10:15:00Z",
                None,
                480.0
            ),
            breach(
                "c-noise",
                "ana-lima",
                "low",
                "resolution",
                "2026-11-08T10:15:00Z",
                None,
                336.0
            ),
            breach(
                "d-toner",
                "acme-corp",
                "normal",
                "first_response",
                "2026-11-10T18:15:00Z",
                Some("2026-11-12T10:15:00Z"),
                40.0
            ),
            breach(
                "b-login",
                "ana-lima",
                "high",
                "first_response",
                "2026-11-20T14:15:00Z",
                Some("2026-11-20T16:15:00Z"),
                2.0
            ),
            breach(
                "b-login",
                "ana-lima",
                "high",
                "resolution",
                "2026-11-21T10:15:00Z",
                None,
                24.0
            ),
        ]
    );
    assert_eq!(
        report.customers,
        [
            count(Some("acme-corp"), 2, 0, 1),
            count(Some("ana-lima"), 2, 2, 2)
        ]
    );
    // printer: a (through its asset) and c; toner: d; no product: b, last.
    assert_eq!(
        report.products,
        [
            count(Some("printer"), 2, 1, 1),
            count(Some("toner"), 1, 0, 1),
            count(None, 1, 1, 1)
        ]
    );
    let csv = env
        .run(&[
            "report",
            "service",
            "--format",
            "csv",
            "--section",
            "customers",
        ])
        .ok();
    assert_eq!(
        csv,
        "customer,tickets,open,breached\nacme-corp,2,0,1\nana-lima,2,2,2\n"
    );
}

#[test]
fn report_service_as_of_a_past_day_rewinds_the_tickets() {
    let env = tickets_store();
    let report: ServiceReport = env.json(&["report", "service", "--as-of", "2026-11-11"]);
    // At the end of 11-11: c and d are open (d was resolved on 11-12), nothing
    // answered. c: both clocks past due. d: first response due 11-10 18:15 is
    // past; its resolution (due 11-13 10:15) is not.
    assert_eq!(
        report.summary,
        Summary {
            tickets: 2,
            open: 2,
            resolved: 0,
            median_first_response_hours: None,
            median_resolution_hours: None,
            first_response_breaches: 2,
            resolution_breaches: 1,
        }
    );
    // d pending from 11-10 18:15 to 11-12 00:00: 29.75 h.
    assert_eq!(
        report.breaches[2],
        breach(
            "d-toner",
            "acme-corp",
            "normal",
            "first_response",
            "2026-11-10T18:15:00Z",
            None,
            29.75
        )
    );
    let since: ServiceReport = env.json(&[
        "report",
        "service",
        "--since",
        "2026-11-15",
        "--where",
        "id = \"ana-lima\"",
    ]);
    assert_eq!(
        (
            since.summary.tickets,
            since.summary.median_first_response_hours
        ),
        (1, Some(6.0))
    );
    assert_eq!(
        since.open.iter().map(|r| r.open).sum::<u64>(),
        2,
        "the whole backlog of ana-lima"
    );
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetsReport {
    maintenance: Vec<Maintenance>,
    warranties: Vec<Warranty>,
    upgrades: Vec<Upgrade>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Maintenance {
    asset: String,
    customer: String,
    product: String,
    #[serde(deserialize_with = "crate::common::present")]
    last_service: Option<String>,
    due: String,
    overdue_days: i64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Warranty {
    asset: String,
    customer: String,
    product: String,
    warranty_until: String,
    days_left: i64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Upgrade {
    asset: String,
    customer: String,
    product: String,
    installed: String,
    age_years: u32,
    upgrade_after_years: u32,
    #[serde(deserialize_with = "crate::common::present")]
    successor: Option<String>,
}

/// As of 2026-11-22:
/// - acme-corp's plotter (upgrade after 4 years, successor printer-2),
///   installed 2021-05-01, serviced 2026-05-01, every 180 days: due 10-28
///   (05-31 is 30 days on, 06-30 60, 07-31 91, 08-31 122, 09-30 152, so 180 is
///   10-28), 25 days overdue on 11-22 (3 days of October and 22); 5 years old.
/// - ana-lima's toner dispenser (the toner product, no upgrade age), installed
///   2025-12-01, warranty until 2026-12-10: 18 days left (8 in November, 10).
#[test]
fn report_assets_figures() {
    let env = TestEnv::with_basics();
    env.created(&[
        "product",
        "add",
        "printer-2",
        "--name",
        "Printer Y",
        "--price",
        "599",
    ]);
    env.created(&[
        "product",
        "add",
        "plotter",
        "--name",
        "Plotter",
        "--price",
        "999",
        "--upgrade-after-years",
        "4",
        "--successor",
        "printer-2",
    ]);
    assert_eq!(env.yaml("products/plotter.yaml")["successor"], "printer-2");
    env.created(&[
        "asset",
        "add",
        "acme-corp",
        "--product",
        "plotter",
        "--installed",
        "2021-05-01",
        "--service-every",
        "180",
    ]);
    env.created(&[
        "asset",
        "service",
        "acme-corp-plotter",
        "--at",
        "2026-05-01",
    ]);
    env.created(&[
        "asset",
        "add",
        "ana-lima",
        "--product",
        "toner",
        "--installed",
        "2025-12-01",
        "--warranty-until",
        "2026-12-10",
    ]);
    env.run(&["check"]).ok();

    let report: AssetsReport = env.json(&["report", "assets"]);
    assert_eq!(
        report.maintenance,
        [Maintenance {
            asset: "acme-corp-plotter".into(),
            customer: "acme-corp".into(),
            product: "plotter".into(),
            last_service: Some("2026-05-01".into()),
            due: "2026-10-28".into(),
            overdue_days: 25,
        }]
    );
    assert_eq!(
        report.warranties,
        [Warranty {
            asset: "ana-lima-toner".into(),
            customer: "ana-lima".into(),
            product: "toner".into(),
            warranty_until: "2026-12-10".into(),
            days_left: 18,
        }]
    );
    assert_eq!(
        report.upgrades,
        [Upgrade {
            asset: "acme-corp-plotter".into(),
            customer: "acme-corp".into(),
            product: "plotter".into(),
            installed: "2021-05-01".into(),
            age_years: 5,
            upgrade_after_years: 4,
            successor: Some("printer-2".into()),
        }]
    );
    // Ten days ahead (to 12-02) the warranty ending 12-10 is not listed yet.
    let soon: AssetsReport = env.json(&["report", "assets", "--days", "10"]);
    assert!(soon.warranties.is_empty());
    let csv = env
        .run(&[
            "report",
            "assets",
            "--format",
            "csv",
            "--section",
            "upgrades",
        ])
        .ok();
    assert_eq!(
        csv,
        "asset,customer,product,installed,age_years,upgrade_after_years,successor\n\
         acme-corp-plotter,acme-corp,plotter,2021-05-01,5,4,printer-2\n"
    );
}

#[test]
fn check_reports_broken_references_of_the_new_records() {
    let env = with_printer();
    env.write(
        "tickets/t.yaml",
        "id: t\ncustomer: ana-lima\nsubject: x\nkind: repair\npriority: low\nstatus: open\n\
         asset: acme-corp-printer\nproduct: toner\nopened: 2026-11-01T00:00:00Z\n",
    );
    env.write(
        "assets/a.yaml",
        "id: a\ncustomer: nobody\nproduct: printer\nservice_every_days: 30\n",
    );
    env.write(
        "campaigns/c.yaml",
        "id: c\nname: C\nchannel: email\nwhere: region = \"EU\"\nlaunched: 2026-11-01T00:00:00Z\nmembers:\n- acme-corp\n- ghost\n",
    );
    env.write(
        "interactions/2026/11/20261101t000000-aaaaa.yaml",
        "id: 20261101t000000-aaaaa\ncustomer: ana-lima\nat: 2026-11-01T00:00:00Z\nchannel: email\nticket: nope\ncampaign: c\n",
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 4, "{run:#?}");
    assert_eq!(
        run.stdout,
        "assets/a.yaml:2: unknown customer `nobody`\n\
         assets/a.yaml:4: a maintenance interval needs `installed` or `last_service` to count from\n\
         campaigns/c.yaml:6: unknown customer `ghost`\n\
         interactions/2026/11/20261101t000000-aaaaa.yaml:5: unknown ticket `nope`\n\
         tickets/t.yaml:7: asset `acme-corp-printer` belongs to `acme-corp`, not `ana-lima`\n\
         tickets/t.yaml:8: product `toner` differs from the product `printer` of asset `acme-corp-printer`\n"
    );
}

#[test]
fn update_changes_priority_and_owner_and_notes_it() {
    let env = TestEnv::with_basics();
    let id = env.created(&["ticket", "open", "ana-lima", "--subject", "Printer jams"]);
    env.run(&[
        "ticket",
        "update",
        &id,
        "--priority",
        "urgent",
        "--owner",
        "bob",
        "--note",
        "customer called twice",
        "--at",
        "2026-11-22T11:00:00Z",
    ])
    .ok();
    let ticket = env.yaml(&format!("tickets/{id}.yaml"));
    assert_eq!(ticket["priority"], "urgent");
    assert_eq!(ticket["owner"], "bob");
    let last = &ticket["history"][1];
    assert_eq!(last["status"], "open");
    assert_eq!(
        last["note"],
        "priority normal -> urgent; owner nobody -> bob; customer called twice"
    );
    assert_eq!(env.commits()[0], format!("ticket update: {id} (open)"));
    let stderr = env.run(&["ticket", "update", &id]).fails(2);
    assert!(
        stderr.contains("give --status, --priority, --owner or --note"),
        "{stderr}"
    );
}
