//! Campaigns through the CLI: planning, launching (the member list frozen),
//! contacts logged in them, and `report campaign` with figures worked out by hand.

use serde::Deserialize;

use crate::common::TestEnv;

/// `campaign show --format json`, and each element of `campaign list`.
/// A record as in its file: unset optional fields are absent, not `null`
/// (docs/cli.md), so a missing key is a `None` here, not an error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Campaign {
    id: String,
    name: String,
    channel: String,
    segment: Option<String>,
    #[serde(rename = "where")]
    filter: Option<String>,
    start: Option<String>,
    end: Option<String>,
    owner: Option<String>,
    launched: Option<String>,
    #[serde(default)]
    members: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    campaign: String,
    name: String,
    channel: String,
    #[serde(deserialize_with = "crate::common::present")]
    start: Option<String>,
    #[serde(deserialize_with = "crate::common::present")]
    end: Option<String>,
    members: u64,
    contacted: u64,
    responded: u64,
    deals: u64,
    deal_amount: f64,
    orders: u64,
    buyers: u64,
    revenue: f64,
    #[serde(deserialize_with = "crate::common::present")]
    contact_rate: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    response_rate: Option<f64>,
    #[serde(deserialize_with = "crate::common::present")]
    conversion_rate: Option<f64>,
    customers: Vec<Member>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Member {
    customer: String,
    contacted: bool,
    responded: bool,
    deals: u64,
    orders: u64,
    revenue: f64,
}

/// acme-corp, ana-lima, bob and cid in the EU, dan in the US, and the campaign
/// "Autumn offer" to the EU customers (who granted consent to e-mail
/// marketing), from 2026-10-01 to 10-31, launched.
fn launched() -> TestEnv {
    let env = TestEnv::with_basics();
    for (customer, region) in [("acme-corp", "EU"), ("ana-lima", "EU")] {
        env.run(&["customer", "set", customer, &format!("region={region}")])
            .ok();
    }
    for (name, region) in [("Bob", "EU"), ("Cid", "EU"), ("Dan", "US")] {
        env.created(&[
            "customer",
            "add",
            name,
            "--set",
            &format!("region={region}"),
        ]);
    }
    // E-mail marketing needs a grant (consent.needs_grant).
    for customer in ["acme-corp", "ana-lima", "bob", "cid"] {
        env.run(&["consent", customer, "grant", "--channel", "email"])
            .ok();
    }
    let id = env.created(&[
        "campaign",
        "new",
        "Autumn offer",
        "--where",
        r#"region = "EU""#,
        "--channel",
        "email",
        "--start",
        "2026-10-01",
        "--end",
        "2026-10-31",
    ]);
    assert_eq!(id, "autumn-offer");
    env.run(&["campaign", "launch", &id]).ok();
    env
}

#[test]
fn a_campaign_is_planned_then_launched_with_its_members_frozen() {
    let env = launched();
    assert_eq!(
        env.commits()[..2],
        [
            "campaign launch: autumn-offer (4 members)",
            "campaign new: autumn-offer (Autumn offer)"
        ]
    );
    assert_eq!(env.last_commit_files(), ["campaigns/autumn-offer.yaml"]);
    assert_eq!(
        env.read("campaigns/autumn-offer.yaml"),
        "id: autumn-offer\nname: Autumn offer\nchannel: email\nwhere: region = \"EU\"\n\
         start: 2026-10-01\nend: 2026-10-31\nlaunched: 2026-11-22T10:15:00Z\nmembers:\n\
         - acme-corp\n- ana-lima\n- bob\n- cid\n"
    );
    // A customer added later is not a member.
    env.created(&["customer", "add", "Eve", "--set", "region=EU"]);
    let campaign: Campaign = env.json(&["campaign", "show", "autumn-offer"]);
    assert_eq!(campaign.members, ["acme-corp", "ana-lima", "bob", "cid"]);
    assert_eq!(
        (
            campaign.id.as_str(),
            campaign.name.as_str(),
            campaign.channel.as_str()
        ),
        ("autumn-offer", "Autumn offer", "email")
    );
    assert_eq!(campaign.filter.as_deref(), Some(r#"region = "EU""#));
    assert_eq!((campaign.segment, campaign.owner), (None, None));
    assert_eq!(
        (campaign.start.as_deref(), campaign.end.as_deref()),
        (Some("2026-10-01"), Some("2026-10-31"))
    );
    assert_eq!(campaign.launched.as_deref(), Some("2026-11-22T10:15:00Z"));

    let stderr = env.run(&["campaign", "launch", "autumn-offer"]).fails(1);
    assert!(stderr.contains("was launched on 2026-11-22"), "{stderr}");

    // A named segment of relate.yaml works the same way.
    let settings = env.read("relate.yaml").replace(
        "segments: {}",
        "segments:\n  eu:\n    where: 'region = \"EU\"'",
    );
    env.write("relate.yaml", &settings);
    let winter = env.created(&[
        "campaign",
        "new",
        "Winter letter",
        "--segment",
        "eu",
        "--channel",
        "letter",
    ]);
    env.run(&["campaign", "launch", &winter]).ok();
    let list: Vec<Campaign> = env.json(&["campaign", "list"]);
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].segment.as_deref(), Some("eu"));
    assert_eq!(
        list[1].members,
        ["acme-corp", "ana-lima", "bob", "cid", "eve"]
    );
}

#[test]
fn bad_campaigns_are_refused_and_nothing_is_written() {
    let env = TestEnv::with_basics();
    let files = env.files();
    let new = |extra: &[&str]| env.run(&[&["campaign", "new", "X"], extra].concat());
    let stderr = new(&["--channel", "email"]).fails(2);
    assert!(
        stderr.contains("<--segment <NAME>|--where <FILTER>>"),
        "{stderr}"
    );
    let stderr = new(&[
        "--channel",
        "email",
        "--segment",
        "a",
        "--where",
        "id = \"a\"",
    ])
    .fails(2);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let stderr = new(&["--channel", "email", "--segment", "vip"]).fails(2);
    assert!(stderr.contains("unknown segment `vip`"), "{stderr}");
    let stderr = new(&["--channel", "email", "--where", "region ="]).fails(2);
    assert!(stderr.contains("invalid filter at column 9"), "{stderr}");
    let stderr = new(&["--channel", "pigeon", "--where", "region = \"EU\""]).fails(2);
    assert!(stderr.contains("unknown channel `pigeon`"), "{stderr}");
    let stderr = new(&[
        "--channel",
        "email",
        "--where",
        "region = \"EU\"",
        "--start",
        "2026-12-01",
        "--end",
        "2026-11-01",
    ])
    .fails(2);
    assert!(stderr.contains("`end` is before `start`"), "{stderr}");
    assert_eq!(env.files(), files);

    let stderr = env.run(&["campaign", "launch", "nope"]).fails(3);
    assert!(stderr.contains("no campaign `nope`"), "{stderr}");
    let stderr = env.run(&["report", "campaign", "nope"]).fails(3);
    assert!(stderr.contains("no campaign `nope`"), "{stderr}");
    let stderr = env
        .run(&[
            "log",
            "acme-corp",
            "--channel",
            "email",
            "--summary",
            "x",
            "--campaign",
            "nope",
        ])
        .fails(3);
    assert!(stderr.contains("no campaign `nope`"), "{stderr}");
    env.created(&[
        "campaign",
        "new",
        "Draft",
        "--where",
        "id = \"acme-corp\"",
        "--channel",
        "email",
    ]);
    let stderr = env.run(&["report", "campaign", "draft"]).fails(1);
    assert!(
        stderr.contains("hint: launch it with `relate campaign launch draft`"),
        "{stderr}"
    );
}

/// On top of [`launched`] (window 10-01 to 10-31):
/// - acme-corp: contacted 09-30 (before the start: still contacted); a deal of
///   700 created 09-15 and an order of 40 on 09-30 (both before the window).
/// - ana-lima: contacted 10-02; writes back 10-05 naming no campaign (a
///   response); a deal of 500 created 10-10; orders of 120 (10-20) and 80 (10-25).
/// - bob: contacted 10-02; writes back 10-06 naming another campaign and 11-05
///   (after the end): no response; an order of 999 on 11-01 (after the end).
/// - cid: writes in 10-10 naming the campaign (a response; inbound, so not
///   contacted); an order of 50 at 23:30 UTC on the last day.
/// - dan, not a member: contacted, a deal and an order in the window: none counts.
///
/// Members 4, contacted 3, responded 2 (ana-lima, cid); deals 1 worth 500;
/// orders 3 from 2 buyers (ana-lima, cid) worth 120 + 80 + 50 = 250; contact
/// rate 3/4, response rate 2/4, conversion rate 2/4.
fn with_results() -> TestEnv {
    let env = launched();
    env.created(&[
        "campaign",
        "new",
        "Spring",
        "--where",
        "id = \"bob\"",
        "--channel",
        "email",
    ]);
    let log = |customer: &str, direction: &str, at: &str, campaign: Option<&str>| {
        let mut args = vec![
            "log",
            customer,
            "--channel",
            "email",
            "--summary",
            "Offer",
            "--direction",
            direction,
            "--at",
            at,
        ];
        if let Some(campaign) = campaign {
            args.extend(["--campaign", campaign]);
        }
        env.created(&args);
    };
    log(
        "acme-corp",
        "outbound",
        "2026-09-30T09:00:00Z",
        Some("autumn-offer"),
    );
    log(
        "ana-lima",
        "outbound",
        "2026-10-02T09:00:00Z",
        Some("autumn-offer"),
    );
    log("ana-lima", "inbound", "2026-10-05T09:00:00Z", None);
    log(
        "bob",
        "outbound",
        "2026-10-02T09:00:00Z",
        Some("autumn-offer"),
    );
    log("bob", "inbound", "2026-10-06T09:00:00Z", Some("spring"));
    log("bob", "inbound", "2026-11-05T09:00:00Z", None);
    log(
        "cid",
        "inbound",
        "2026-10-10T09:00:00Z",
        Some("autumn-offer"),
    );
    log(
        "dan",
        "outbound",
        "2026-10-02T09:00:00Z",
        Some("autumn-offer"),
    );
    for (customer, amount, at) in [
        ("acme-corp", "700", "2026-09-15"),
        ("ana-lima", "500", "2026-10-10"),
        ("dan", "300", "2026-10-10"),
    ] {
        env.created(&[
            "deal", "new", customer, "--title", "Offer", "--amount", amount, "--at", at,
        ]);
    }
    for (customer, total, at) in [
        ("acme-corp", "40", "2026-09-30T09:00:00Z"),
        ("ana-lima", "120", "2026-10-20T09:00:00Z"),
        ("ana-lima", "80", "2026-10-25T09:00:00Z"),
        ("cid", "50", "2026-10-31T23:30:00Z"),
        ("bob", "999", "2026-11-01T09:00:00Z"),
        ("dan", "10", "2026-10-15T09:00:00Z"),
    ] {
        env.created(&["order", "add", customer, "--total", total, "--at", at]);
    }
    env
}

fn member(
    customer: &str,
    contacted: bool,
    responded: bool,
    deals: u64,
    orders: u64,
    revenue: f64,
) -> Member {
    Member {
        customer: customer.into(),
        contacted,
        responded,
        deals,
        orders,
        revenue,
    }
}

#[test]
fn report_campaign_figures() {
    let env = with_results();
    let report: Report = env.json(&["report", "campaign", "autumn-offer"]);
    assert_eq!(
        (
            report.campaign.as_str(),
            report.name.as_str(),
            report.channel.as_str()
        ),
        ("autumn-offer", "Autumn offer", "email")
    );
    assert_eq!(
        (report.start.as_deref(), report.end.as_deref()),
        (Some("2026-10-01"), Some("2026-10-31"))
    );
    assert_eq!(
        (report.members, report.contacted, report.responded),
        (4, 3, 2)
    );
    assert_eq!((report.deals, report.deal_amount), (1, 500.0));
    assert_eq!(
        (report.orders, report.buyers, report.revenue),
        (3, 2, 250.0)
    );
    assert_eq!(
        (
            report.contact_rate,
            report.response_rate,
            report.conversion_rate
        ),
        (Some(0.75), Some(0.5), Some(0.5))
    );
    assert_eq!(
        report.customers,
        [
            member("acme-corp", true, false, 0, 0, 0.0),
            member("ana-lima", true, true, 1, 2, 200.0),
            member("bob", true, false, 0, 0, 0.0),
            member("cid", false, true, 0, 1, 50.0),
        ]
    );
    // The contact logged in the campaign is a marketing one by default.
    let view: serde_json::Value = env.json(&["customer", "show", "acme-corp"]);
    assert_eq!(view["interactions"][0]["purpose"], "marketing");
    assert_eq!(view["interactions"][0]["campaign"], "autumn-offer");

    // Narrowed to one member, and as of a day inside the window.
    let ana: Report = env.json(&[
        "report",
        "campaign",
        "autumn-offer",
        "--where",
        "id = \"ana-lima\"",
    ]);
    assert_eq!(
        (ana.members, ana.revenue, ana.conversion_rate),
        (1, 200.0, Some(1.0))
    );
    // On 10-21: ana-lima's first order only; cid's is still to come.
    let early: Report = env.json(&[
        "report",
        "campaign",
        "autumn-offer",
        "--as-of",
        "2026-10-21",
    ]);
    assert_eq!(early.end.as_deref(), Some("2026-10-21"));
    assert_eq!(
        (early.orders, early.revenue, early.responded),
        (1, 120.0, 2)
    );

    let table = env
        .run(&[
            "report",
            "campaign",
            "autumn-offer",
            "--section",
            "customers",
        ])
        .ok();
    assert_eq!(
        table,
        "customer   contacted  responded  deals  orders  revenue\n\
         acme-corp  yes        no             0       0     0.00\n\
         ana-lima   yes        yes            1       2   200.00\n\
         bob        yes        no             0       0     0.00\n\
         cid        no         yes            0       1    50.00\n"
    );
}
