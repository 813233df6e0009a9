//! The use-cases of `relate::ops`, run against a store in a temporary
//! directory: what each returns, the files it writes and the one commit it
//! makes, and that a refused operation writes nothing.

use std::path::Path;

use relate::Error;
use relate::error::Refusal;
use relate::exchange::{Options, Workspace};
use relate::model::consent::ConsentState;
use relate::model::customer::CustomerKind;
use relate::model::deal::Outcome;
use relate::model::interaction::{Direction, Purpose};
use relate::model::settings::Priority;
use relate::model::ticket::{Status, TicketKind};
use relate::model::values::{Timestamp, parse_timestamp};
use relate::model::{Customer, Deal, Interaction, Kind, Order, Product, Ticket};
use relate::ops;
use relate::store::{Author, Env, Query, Store};
use rust_decimal::Decimal;

fn at(text: &str) -> Timestamp {
    parse_timestamp(text).unwrap()
}

fn new_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::fixed(
        at("2026-11-20T12:00:00Z"),
        Author::parse("Test <test@example.com>").unwrap(),
    );
    let store = Store::init(dir.path(), env).unwrap();
    (dir, store)
}

/// The message of HEAD's commit and the paths it changed against its parent.
fn head(root: &Path) -> (String, Vec<String>) {
    let repo = git2::Repository::open(root).unwrap();
    let commit = repo.head().unwrap().peel_to_commit().unwrap();
    let parent = commit.parent(0).unwrap().tree().unwrap();
    let diff = repo
        .diff_tree_to_tree(Some(&parent), Some(&commit.tree().unwrap()), None)
        .unwrap();
    let mut paths: Vec<String> = diff
        .deltas()
        .map(|d| d.new_file().path().unwrap().display().to_string())
        .collect();
    paths.sort();
    (commit.message().unwrap().to_string(), paths)
}

fn head_id(root: &Path) -> git2::Oid {
    let repo = git2::Repository::open(root).unwrap();
    repo.head().unwrap().target().unwrap()
}

fn customer(store: &Store, name: &str, emails: &[&str]) -> Customer {
    ops::customer::add(
        store,
        ops::customer::NewCustomer {
            name: name.into(),
            kind: None,
            emails: emails.iter().map(|e| e.to_string()).collect(),
            phones: Vec::new(),
            company: None,
            owner: None,
            tags: Vec::new(),
            sets: Vec::new(),
            id: None,
        },
    )
    .unwrap()
    .customer
}

fn product(store: &Store, sku: &str, price: i64) -> Product {
    ops::product::add(
        store,
        Product {
            id: sku.into(),
            external_id: None,
            name: format!("Product {sku}"),
            category: None,
            price: Decimal::from(price),
            cost: None,
            segment: None,
            upgrade_after_years: None,
            successor: None,
            conflicts: Vec::new(),
        },
    )
    .unwrap()
}

fn new_deal(customer: &str, lines: &[&str]) -> ops::deal::NewDeal {
    ops::deal::NewDeal {
        customer: customer.into(),
        title: "Renewal".into(),
        amount: None,
        lines: lines.iter().map(|l| l.parse().unwrap()).collect(),
        stage: None,
        at: None,
        close_by: None,
        owner: None,
        id: None,
    }
}

fn contact(customer: &str, when: &str) -> ops::interaction::NewContact {
    ops::interaction::NewContact {
        customer: customer.into(),
        at: at(when),
        channel: "phone".into(),
        summary: "Called".into(),
        body: None,
        direction: None,
        purpose: None,
        owner: None,
        deal: None,
        ticket: None,
        campaign: None,
        follow_up: None,
        score: None,
        future: false,
        override_consent: false,
    }
}

fn consent(store: &Store, customer: &str, state: ConsentState, when: &str) {
    let new = ops::consent::NewConsent {
        customer: customer.into(),
        state,
        channel: "email".into(),
        purpose: Purpose::Marketing,
        at: at(when),
        source: None,
    };
    ops::consent::record(store, new).unwrap();
}

fn new_ticket(customer: &str, asset: Option<&str>) -> ops::ticket::NewTicket {
    ops::ticket::NewTicket {
        customer: customer.into(),
        subject: "Printer jams".into(),
        kind: TicketKind::Repair,
        priority: Priority::High,
        asset: asset.map(String::from),
        product: None,
        owner: None,
        note: None,
        at: at("2026-11-20T09:00:00Z"),
        id: None,
    }
}

#[test]
fn customer_add_writes_one_file_and_refuses_a_shared_email() {
    let (dir, store) = new_store();
    let acme = customer(&store, "Acme Corp", &["info@acme.example"]);
    assert_eq!(acme.id, "acme-corp");
    assert_eq!(acme.kind, CustomerKind::Organization);
    assert_eq!(
        head(dir.path()),
        (
            "customer add: acme-corp".into(),
            vec!["customers/acme-corp.yaml".into()]
        )
    );
    let text = std::fs::read_to_string(dir.path().join("customers/acme-corp.yaml")).unwrap();
    assert!(
        text.starts_with("id: acme-corp\nname: Acme Corp\n"),
        "{text}"
    );

    let before = head_id(dir.path());
    let mut again = ops::customer::NewCustomer {
        name: "Acme Corp".into(),
        kind: None,
        emails: vec!["INFO@acme.example".into()],
        phones: Vec::new(),
        company: None,
        owner: None,
        tags: Vec::new(),
        sets: Vec::new(),
        id: None,
    };
    let Err(Error::EmailTaken { email, holder }) = ops::customer::add(&store, again) else {
        panic!("a shared e-mail must be refused");
    };
    assert_eq!(
        (email.as_str(), holder.as_str()),
        ("INFO@acme.example", "acme-corp")
    );
    assert_eq!(head_id(dir.path()), before);

    again = ops::customer::NewCustomer {
        name: "Acme Corp".into(),
        kind: None,
        emails: Vec::new(),
        phones: Vec::new(),
        company: Some("Acme".into()),
        owner: None,
        tags: Vec::new(),
        sets: vec!["fields.city=Utrecht".parse().unwrap()],
        id: None,
    };
    let added = ops::customer::add(&store, again).unwrap();
    assert_eq!(added.customer.id, "acme-corp-2");
    assert_eq!(added.taken.as_deref(), Some("acme-corp"));
    assert_eq!(added.customer.kind, CustomerKind::Person);
}

#[test]
fn customer_set_and_replace_commit_only_a_change() {
    let (dir, store) = new_store();
    customer(&store, "Acme Corp", &[]);
    let set = ops::customer::set(
        &store,
        "acme-corp",
        &[
            "emails+=a@acme.example".parse().unwrap(),
            "tags+=vip".parse().unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(set.emails, ["a@acme.example"]);
    assert_eq!(set.tags, ["vip"]);
    assert_eq!(head(dir.path()).0, "customer set: acme-corp emails, tags");
    let stored: Customer = store.get("acme-corp").unwrap();
    assert_eq!(stored, set);

    let before = head_id(dir.path());
    assert!(!ops::edit::replace(&store, &stored, &stored).unwrap());
    assert_eq!(head_id(dir.path()), before);
    let mut edited = stored.clone();
    edited.name = "Acme Corporation".into();
    assert!(ops::edit::replace(&store, &stored, &edited).unwrap());
    assert_eq!(head(dir.path()).0, "customer edit: acme-corp");
}

#[test]
fn product_add_refuses_a_taken_sku_and_an_unknown_successor() {
    let (dir, store) = new_store();
    product(&store, "p1", 10);
    assert_eq!(
        head(dir.path()),
        (
            "product add: p1 (Product p1)".into(),
            vec!["products/p1.yaml".into()]
        )
    );
    let before = head_id(dir.path());
    let mut again: Product = store.get("p1").unwrap();
    assert!(matches!(
        ops::product::add(&store, again.clone()),
        Err(Error::Exists {
            kind: "product",
            ..
        })
    ));
    again.id = "p2".into();
    again.successor = Some("p9".into());
    assert!(matches!(
        ops::product::add(&store, again),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(head_id(dir.path()), before);
}

#[test]
fn a_deal_moves_forward_and_winning_it_records_its_order_in_the_same_commit() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    product(&store, "p1", 10);
    let deal = ops::deal::open(&store, new_deal("acme", &["p1:3"])).unwrap();
    assert_eq!(deal.id, "acme-renewal");
    assert_eq!(deal.stage, "qualification");
    assert_eq!(deal.amount, Some(Decimal::from(30)));
    assert_eq!(deal.lines[0].price, Decimal::from(10));
    assert_eq!(head(dir.path()).0, "deal new: acme-renewal for acme");

    let deal =
        ops::deal::advance(&store, "acme-renewal", None, at("2026-11-21T10:00:00Z")).unwrap();
    assert_eq!(deal.stage, "needs_analysis");
    assert_eq!(deal.history.len(), 2);
    assert_eq!(
        head(dir.path()).0,
        "deal advance: acme-renewal to needs_analysis"
    );

    let before = head_id(dir.path());
    let Err(Error::Usage { message, .. }) = ops::deal::advance(
        &store,
        "acme-renewal",
        Some("closing"),
        at("2026-11-22T10:00:00Z"),
    ) else {
        panic!("an unknown stage is a usage error");
    };
    assert_eq!(message, "unknown stage `closing`");
    assert_eq!(head_id(dir.path()), before);

    let won = ops::deal::win(&store, "acme-renewal", at("2026-11-23T10:00:00Z")).unwrap();
    assert_eq!(won.deal.outcome, Some(Outcome::Won));
    let order = won.order.expect("a deal with lines records an order");
    assert_eq!(order.deal.as_deref(), Some("acme-renewal"));
    assert_eq!(order.value(), Decimal::from(30));
    let (message, paths) = head(dir.path());
    assert_eq!(message, "deal win: acme-renewal");
    assert_eq!(paths.len(), 2);
    assert!(paths.contains(&"deals/acme-renewal.yaml".to_string()));
    let orders: Vec<Order> = store.read(Query::all()).unwrap();
    assert_eq!(orders, [order]);

    let before = head_id(dir.path());
    assert!(matches!(
        ops::deal::lose(
            &store,
            "acme-renewal",
            "price".into(),
            at("2026-11-24T10:00:00Z")
        ),
        Err(Error::Refused(Refusal::DealClosed { .. }))
    ));
    assert_eq!(head_id(dir.path()), before);
}

#[test]
fn a_deal_without_lines_or_amount_is_won_without_an_order() {
    let (_dir, store) = new_store();
    customer(&store, "Acme", &[]);
    ops::deal::open(&store, new_deal("acme", &[])).unwrap();
    let won = ops::deal::win(&store, "acme-renewal", at("2026-11-23T10:00:00Z")).unwrap();
    assert!(won.order.is_none());
    assert!(store.read::<Order>(Query::all()).unwrap().is_empty());
}

#[test]
fn an_order_checks_its_total_and_its_deal() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    customer(&store, "Other", &[]);
    product(&store, "p1", 10);
    ops::deal::open(&store, new_deal("other", &[])).unwrap();
    let order = |total: Option<i64>, deal: Option<&str>| ops::order::NewOrder {
        customer: "acme".into(),
        at: at("2026-11-20T10:00:00Z"),
        lines: vec!["p1:2".parse().unwrap()],
        total: total.map(Decimal::from),
        payment_method: None,
        channel: None,
        deal: deal.map(String::from),
    };
    let before = head_id(dir.path());
    let Err(Error::Usage { message, .. }) = ops::order::add(&store, order(Some(25), None)) else {
        panic!("a total that is not the lines' sum is refused");
    };
    assert_eq!(
        message,
        "--total 25 does not match the lines, which sum to 20"
    );
    let Err(Error::Usage { message, .. }) =
        ops::order::add(&store, order(None, Some("other-renewal")))
    else {
        panic!("another customer's deal is refused");
    };
    assert_eq!(
        message,
        "deal `other-renewal` belongs to `other`, not `acme`"
    );
    assert_eq!(head_id(dir.path()), before);

    let written = ops::order::add(&store, order(Some(20), None)).unwrap();
    assert_eq!(written.total, Some(Decimal::from(20)));
    let (message, paths) = head(dir.path());
    assert_eq!(message, format!("order add: {} for acme", written.id));
    assert_eq!(paths.len(), 1);
    assert!(paths[0].starts_with("orders/2026/11/"), "{paths:?}");
}

#[test]
fn an_outbound_contact_about_a_ticket_is_its_first_response() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    let ticket = ops::ticket::open(&store, new_ticket("acme", None)).unwrap();
    assert_eq!(ticket.id, "acme-printer-jams");
    assert_eq!(
        head(dir.path()).0,
        "ticket open: acme-printer-jams for acme"
    );

    let mut inbound = contact("acme", "2026-11-20T10:00:00Z");
    inbound.ticket = Some(ticket.id.clone());
    inbound.direction = Some(Direction::Inbound);
    let logged = ops::interaction::log(&store, inbound).unwrap();
    assert_eq!(logged.purpose, Some(Purpose::Service));
    assert_eq!(head(dir.path()).1.len(), 1);
    assert_eq!(
        store.get::<Ticket>(&ticket.id).unwrap().first_response,
        None
    );

    let mut reply = contact("acme", "2026-11-20T11:00:00Z");
    reply.ticket = Some(ticket.id.clone());
    ops::interaction::log(&store, reply).unwrap();
    let (message, paths) = head(dir.path());
    assert_eq!(message, "log: phone call with acme");
    assert_eq!(paths.len(), 2);
    assert!(paths.contains(&"tickets/acme-printer-jams.yaml".to_string()));
    assert_eq!(
        store.get::<Ticket>(&ticket.id).unwrap().first_response,
        Some(at("2026-11-20T11:00:00Z"))
    );
}

#[test]
fn a_contact_refuses_another_customers_deal_and_writes_nothing() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    customer(&store, "Other", &[]);
    ops::deal::open(&store, new_deal("other", &[])).unwrap();
    let before = head_id(dir.path());
    let mut wrong = contact("acme", "2026-11-20T10:00:00Z");
    wrong.deal = Some("other-renewal".into());
    assert!(matches!(
        ops::interaction::log(&store, wrong),
        Err(Error::Usage { .. })
    ));
    assert!(matches!(
        ops::interaction::log(&store, contact("nobody", "2026-11-20T10:00:00Z")),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(head_id(dir.path()), before);
    assert!(store.read::<Interaction>(Query::all()).unwrap().is_empty());
}

#[test]
fn a_marketing_contact_after_a_withdrawal_is_refused_unless_overridden() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    consent(
        &store,
        "acme",
        ConsentState::Withdrawn,
        "2026-10-01T09:00:00Z",
    );
    let marketing = |when: &str| ops::interaction::NewContact {
        channel: "email".into(),
        purpose: Some(Purpose::Marketing),
        ..contact("acme", when)
    };
    let before = head_id(dir.path());
    let refused = ops::interaction::log(&store, marketing("2026-11-20T10:00:00Z"));
    match refused {
        Err(Error::ConsentWithdrawn {
            customer,
            channel,
            on,
        }) => assert_eq!(
            (customer.as_str(), channel.as_str(), on.to_string().as_str()),
            ("acme", "email", "2026-10-01")
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(head_id(dir.path()), before);
    // Before the withdrawal it was allowed; an override says it had another basis.
    ops::interaction::log(&store, marketing("2026-09-30T10:00:00Z")).unwrap();
    let overridden = ops::interaction::NewContact {
        override_consent: true,
        ..marketing("2026-11-20T10:00:00Z")
    };
    ops::interaction::log(&store, overridden).unwrap();
    assert_eq!(store.read::<Interaction>(Query::all()).unwrap().len(), 2);
}

#[test]
fn a_contact_after_now_is_refused_unless_meant() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    let before = head_id(dir.path());
    assert!(matches!(
        ops::interaction::log(&store, contact("acme", "2027-11-20T10:00:00Z")),
        Err(Error::Usage { .. })
    ));
    assert_eq!(head_id(dir.path()), before);
    let planned = ops::interaction::NewContact {
        future: true,
        ..contact("acme", "2026-11-21T10:00:00Z")
    };
    let logged = ops::interaction::log(&store, planned).unwrap();
    assert_eq!(logged.at, at("2026-11-21T10:00:00Z"));
    // Now itself is not the future.
    ops::interaction::log(&store, contact("acme", "2026-11-20T12:00:00Z")).unwrap();
    assert_eq!(store.read::<Interaction>(Query::all()).unwrap().len(), 2);
}

#[test]
fn a_ticket_is_updated_resolved_and_reopened() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    ops::ticket::open(&store, new_ticket("acme", None)).unwrap();
    let changes = ops::ticket::TicketUpdate {
        status: Some(Status::Waiting),
        priority: Some(Priority::Urgent),
        note: Some("waiting for parts".into()),
        owner: None,
    };
    let ticket = ops::ticket::update(
        &store,
        "acme-printer-jams",
        changes,
        at("2026-11-20T13:00:00Z"),
    )
    .unwrap();
    assert_eq!(ticket.status, Status::Waiting);
    assert_eq!(ticket.priority, Priority::Urgent);
    assert_eq!(
        ticket.history.last().unwrap().note.as_deref(),
        Some("priority high -> urgent; waiting for parts")
    );
    assert_eq!(
        head(dir.path()).0,
        "ticket update: acme-printer-jams (waiting)"
    );

    let ticket = ops::ticket::resolve(
        &store,
        "acme-printer-jams",
        None,
        at("2026-11-21T13:00:00Z"),
    )
    .unwrap();
    assert_eq!(ticket.status, Status::Resolved);
    assert_eq!(
        head(dir.path()).0,
        "ticket resolve: acme-printer-jams (resolved)"
    );
    let before = head_id(dir.path());
    assert!(matches!(
        ops::ticket::resolve(
            &store,
            "acme-printer-jams",
            None,
            at("2026-11-22T13:00:00Z")
        ),
        Err(Error::Refused(Refusal::AlreadyResolved { .. }))
    ));
    assert_eq!(head_id(dir.path()), before);
    let ticket = ops::ticket::reopen(
        &store,
        "acme-printer-jams",
        None,
        at("2026-11-22T13:00:00Z"),
    )
    .unwrap();
    assert!(ticket.is_open());
}

#[test]
fn an_asset_is_added_and_serviced_with_its_visit_in_one_commit() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    product(&store, "p1", 10);
    let asset = ops::asset::add(
        &store,
        ops::asset::NewAsset {
            customer: "acme".into(),
            product: "p1".into(),
            serial: Some("SN-1".into()),
            installed: None,
            warranty_until: None,
            service_every_days: Some(90),
            id: None,
        },
    )
    .unwrap();
    assert_eq!(asset.id, "acme-p1");
    assert_eq!(asset.installed, Some("2026-11-20".parse().unwrap()));
    assert_eq!(head(dir.path()).0, "asset add: acme-p1 for acme");

    let ticket = ops::ticket::open(&store, new_ticket("acme", Some("acme-p1"))).unwrap();
    assert_eq!(ticket.product.as_deref(), Some("p1"));

    let visit = ops::asset::Visit {
        at: at("2026-12-01T09:00:00Z"),
        channel: "meeting".into(),
        owner: None,
        summary: None,
    };
    let (asset, contact) = ops::asset::service(&store, "acme-p1", visit).unwrap();
    assert_eq!(asset.last_service, Some("2026-12-01".parse().unwrap()));
    assert_eq!(contact.summary.as_deref(), Some("Maintenance of acme-p1"));
    assert_eq!(contact.purpose, Some(Purpose::Service));
    let (message, paths) = head(dir.path());
    assert_eq!(message, "asset service: acme-p1 (meeting)");
    assert_eq!(paths.len(), 2);
}

#[test]
fn a_campaign_freezes_its_members_at_launch() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    customer(&store, "Beta", &[]);
    for id in ["acme", "beta"] {
        ops::customer::set(&store, id, &["tags+=vip".parse().unwrap()]).unwrap();
    }
    consent(
        &store,
        "beta",
        ConsentState::Granted,
        "2026-11-01T00:00:00Z",
    );
    let new = |filter: &str| ops::campaign::NewCampaign {
        name: "Winter offer".into(),
        channel: "email".into(),
        segment: None,
        filter: Some(filter.into()),
        start: None,
        end: None,
        owner: None,
        id: None,
    };
    let before = head_id(dir.path());
    assert!(ops::campaign::new(&store, new("tags contains")).is_err());
    assert_eq!(head_id(dir.path()), before);

    let campaign = ops::campaign::new(&store, new("tags contains \"vip\"")).unwrap();
    assert_eq!(campaign.id, "winter-offer");
    assert_eq!(
        head(dir.path()).0,
        "campaign new: winter-offer (Winter offer)"
    );
    let launched = ops::campaign::launch(&store, "winter-offer").unwrap();
    assert_eq!(launched.members, ["beta"]);
    let excluded: Vec<(&str, &str)> = (launched.excluded.iter())
        .map(|e| (e.customer.as_str(), e.reason.as_str()))
        .collect();
    assert_eq!(excluded, [("acme", "no answer (email needs a grant)")]);
    assert_eq!(
        head(dir.path()).0,
        "campaign launch: winter-offer (1 members, 1 excluded)"
    );
    let before = head_id(dir.path());
    assert!(matches!(
        ops::campaign::launch(&store, "winter-offer"),
        Err(Error::Launched { .. })
    ));
    assert_eq!(head_id(dir.path()), before);
}

#[test]
fn an_import_writes_what_it_staged_in_one_commit() {
    let (dir, store) = new_store();
    let data = store.dataset_of(&[Kind::Customer]).unwrap();
    let mut ws = Workspace::new(
        data,
        store.settings(),
        store.env().now,
        store.rng(),
        Options::default(),
    );
    for name in ["Acme", "Beta"] {
        let id = name.to_lowercase();
        ws.customers.put(
            None,
            Customer::new(id, name.into(), CustomerKind::Organization),
        );
    }
    let mut written = 0;
    ops::import::write(
        &store,
        &ws,
        "import customers: x.csv (2 created, 0 updated)",
        || written += 1,
    )
    .unwrap();
    assert_eq!(written, 2);
    assert_eq!(
        head(dir.path()),
        (
            "import customers: x.csv (2 created, 0 updated)".into(),
            vec!["customers/acme.yaml".into(), "customers/beta.yaml".into()]
        )
    );
    assert_eq!(store.read::<Customer>(Query::all()).unwrap().len(), 2);
}

#[test]
fn deal_lines_name_existing_products() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    let before = head_id(dir.path());
    assert!(matches!(
        ops::deal::open(&store, new_deal("acme", &["p9:1"])),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(head_id(dir.path()), before);
    assert!(store.read::<Deal>(Query::all()).unwrap().is_empty());
}

fn assignments(texts: &[&str]) -> Vec<relate::model::assign::Assignment> {
    texts.iter().map(|t| t.parse().unwrap()).collect()
}

#[test]
fn set_changes_any_kind_but_not_what_a_verb_keeps() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    product(&store, "p1", 10);
    ops::deal::open(&store, new_deal("acme", &["p1:3"])).unwrap();
    let deal: Deal = ops::edit::set(
        &store,
        "acme-renewal",
        &assignments(&["amount=25", "currency=USD"]),
    )
    .unwrap();
    assert_eq!(
        (deal.amount, deal.currency.as_deref()),
        (Some(Decimal::from(25)), Some("USD"))
    );
    assert_eq!(
        head(dir.path()),
        (
            "deal set: acme-renewal amount, currency".to_string(),
            vec!["deals/acme-renewal.yaml".to_string()]
        )
    );
    let before = head_id(dir.path());
    let kept = ops::edit::set::<Deal>(&store, "acme-renewal", &assignments(&["stage=won"]));
    assert!(
        matches!(kept, Err(Error::KeptBy { field, commands, .. }) if field == "stage" && commands.contains(&"deal win")),
    );
    let unknown = ops::edit::set::<Deal>(&store, "acme-renewal", &assignments(&["customer=acm"]));
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
    let invalid = ops::edit::set::<Product>(&store, "p1", &assignments(&["cost=-1"]));
    assert!(matches!(invalid, Err(Error::Usage { .. })), "{invalid:?}");
    assert_eq!(head_id(dir.path()), before);
}

#[test]
fn references_come_from_every_kind_and_remove_cascades_but_never_to_orders() {
    let (dir, store) = new_store();
    customer(&store, "Acme", &[]);
    customer(&store, "Bo", &[]);
    product(&store, "p1", 10);
    ops::deal::open(&store, new_deal("bo", &["p1:1"])).unwrap();
    let ticket = ops::ticket::open(&store, new_ticket("bo", None)).unwrap();
    let mut about = contact("bo", "2026-11-19T10:00:00Z");
    about.ticket = Some(ticket.id.clone());
    ops::interaction::log(&store, about).unwrap();
    let data = store.dataset().unwrap();
    let referrers: Vec<(Kind, &str)> = ops::remove::references(&data, Kind::Customer, "bo")
        .iter()
        .map(|r| (r.kind, r.field))
        .collect();
    assert_eq!(
        referrers,
        [
            (Kind::Interaction, "customer"),
            (Kind::Deal, "customer"),
            (Kind::Ticket, "customer")
        ]
    );
    let before = head_id(dir.path());
    let refused = ops::remove::remove(&store, Kind::Customer, "bo", false);
    assert!(
        matches!(&refused, Err(Error::Referenced { referrers, orders: false, .. }) if referrers.len() == 3),
        "{refused:?}"
    );
    assert_eq!(head_id(dir.path()), before);
    let removed = ops::remove::remove(&store, Kind::Customer, "bo", true).unwrap();
    assert_eq!(removed.files.len(), 4);
    let (message, paths) = head(dir.path());
    assert!(
        message
            .starts_with("customer remove: bo (+3 dependents)\n\nRemoved:\n- customers/bo.yaml\n"),
        "{message}"
    );
    assert_eq!(paths.len(), 4);
    ops::order::add(
        &store,
        ops::order::NewOrder {
            customer: "acme".into(),
            at: at("2026-11-20T10:00:00Z"),
            lines: vec!["p1:2".parse().unwrap()],
            total: None,
            payment_method: None,
            channel: None,
            deal: None,
        },
    )
    .unwrap();
    let before = head_id(dir.path());
    for (kind, id) in [(Kind::Customer, "acme"), (Kind::Product, "p1")] {
        let refused = ops::remove::remove(&store, kind, id, true);
        assert!(
            matches!(refused, Err(Error::Referenced { orders: true, .. })),
            "{refused:?}"
        );
    }
    assert_eq!(head_id(dir.path()), before);
}

#[test]
fn the_lists_select_what_their_filters_name_and_refuse_a_typo() {
    let (_dir, store) = new_store();
    let tagged = |name: &str, owner: Option<&str>, tags: &[&str]| {
        let new = ops::customer::NewCustomer {
            name: name.into(),
            kind: None,
            emails: Vec::new(),
            phones: Vec::new(),
            company: None,
            owner: owner.map(String::from),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            sets: Vec::new(),
            id: None,
        };
        ops::customer::add(&store, new).unwrap();
    };
    tagged("Acme", Some("alice"), &["vip"]);
    tagged("Globex", Some("bob"), &["vip", "eu"]);
    tagged("Initech", None, &[]);
    let customers = |wanted: ops::list::Customers| -> Vec<String> {
        (ops::list::customers(&store, &wanted).unwrap().into_iter())
            .map(|c| c.id.to_string())
            .collect()
    };
    let vip = ops::list::Customers {
        tag: Some("vip"),
        ..Default::default()
    };
    assert_eq!(customers(vip), ["acme", "globex"]);
    let bob = ops::list::Customers {
        owner: Some("bob"),
        tag: Some("vip"),
        ..Default::default()
    };
    assert_eq!(customers(bob), ["globex"]);
    let unknown = ops::list::Customers {
        segment: Some("nosuch"),
        ..Default::default()
    };
    assert!(matches!(
        ops::list::customers(&store, &unknown),
        Err(Error::Usage { .. })
    ));

    // Deals: open ones of one customer, by stage; a customer that does not
    // exist is not an empty list.
    let first = ops::deal::open(&store, new_deal("acme", &[])).unwrap();
    let mut second = new_deal("acme", &[]);
    second.title = "Upgrade".into();
    let second = ops::deal::open(&store, second).unwrap();
    ops::deal::advance(&store, &second.id, None, at("2026-11-20T12:30:00Z")).unwrap();
    ops::deal::open(&store, new_deal("globex", &[])).unwrap();
    let deals = |wanted: ops::list::Deals| -> Vec<String> {
        (ops::list::deals(&store, &wanted).unwrap().into_iter())
            .map(|d| d.id)
            .collect()
    };
    let acme = || ops::list::Deals {
        customer: Some("acme"),
        open: true,
        ..Default::default()
    };
    assert_eq!(deals(acme()), [first.id.clone(), second.id.clone()]);
    let in_first_stage = ops::list::Deals {
        stage: Some(first.stage.as_str()),
        ..acme()
    };
    assert_eq!(deals(in_first_stage), [first.id.as_str()]);
    let missing = ops::list::Deals {
        customer: Some("acmee"),
        ..Default::default()
    };
    assert!(matches!(
        ops::list::deals(&store, &missing),
        Err(Error::NotFound { .. })
    ));
    let typo = ops::list::Deals {
        stage: Some("qualifcation"),
        ..Default::default()
    };
    assert!(matches!(
        ops::list::deals(&store, &typo),
        Err(Error::Usage { .. })
    ));

    // Tickets: oldest first, by status and priority.
    let mut later = new_ticket("globex", None);
    later.at = at("2026-11-20T10:00:00Z");
    later.priority = Priority::Low;
    let later = ops::ticket::open(&store, later).unwrap();
    let earlier = ops::ticket::open(&store, new_ticket("acme", None)).unwrap();
    let tickets = |wanted: ops::list::Tickets| -> Vec<String> {
        (ops::list::tickets(&store, &wanted).unwrap().into_iter())
            .map(|t| t.id)
            .collect()
    };
    assert_eq!(
        tickets(ops::list::Tickets::default()),
        [earlier.id.clone(), later.id.clone()]
    );
    let low = ops::list::Tickets {
        open: true,
        priority: Some(Priority::Low),
        ..Default::default()
    };
    assert_eq!(tickets(low), [later.id.as_str()]);
    let resolved = ops::list::Tickets {
        status: Some(Status::Resolved),
        ..Default::default()
    };
    assert!(tickets(resolved).is_empty());
}
