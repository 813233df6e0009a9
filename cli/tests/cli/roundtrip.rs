//! Records written by relate read back identically, and writing them again gives
//! the same bytes: the file format is stable.

use relate::model::customer::{CustomerKind, Lifecycle};
use relate::model::deal::{Outcome, StageMove};
use relate::model::interaction::{Direction, Purpose};
use relate::model::merge::Conflict;
use relate::model::settings::Priority;
use relate::model::ticket::{Status, TicketEvent, TicketKind};
use relate::model::values::{parse_date, parse_decimal, parse_timestamp};
use relate::model::{Asset, Campaign, Customer, Deal, Interaction, Line, Order, Product, Ticket};

fn round_trip<T>(record: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = relate::store::to_yaml(record).unwrap();
    let back: T = serde_yaml::from_str(&text).unwrap();
    assert_eq!(&back, record, "{text}");
    assert_eq!(relate::store::to_yaml(&back).unwrap(), text);
}

fn line(product: &str, quantity: &str, price: &str) -> Line {
    Line {
        product: product.into(),
        quantity: parse_decimal(quantity).unwrap(),
        price: parse_decimal(price).unwrap(),
    }
}

#[test]
fn every_record_with_every_field() {
    let mut customer = Customer::new(
        "ana-lima",
        "Ana Lima: \"CEO\" # yes".into(),
        CustomerKind::Person,
    );
    customer.company = Some("acme-corp".into());
    customer.emails = vec!["ana@example.com".into(), "no".into()];
    customer.phones = vec!["+49 30 1234".into()];
    customer.owner = Some("alice".into());
    customer.stage = Some(Lifecycle::Customer);
    customer.source = Some("2026-01-01".into());
    customer.created = Some(parse_date("2025-05-01").unwrap());
    customer.tags = vec!["vip".into(), "true".into(), "1.5".into()];
    customer.gender = Some("female".into());
    customer.birth_year = Some(1980);
    customer.income = Some(parse_decimal("52000.75").unwrap());
    customer.purpose = Some("office".into());
    customer.payment_method = Some("card".into());
    customer.region = Some("EU".into());
    customer.external_id = Some("0042".into());
    customer.notes = Some("Met at the fair.\nCall: mornings # only\n".into());
    customer.fields.insert("employees".into(), 250.into());
    customer
        .fields
        .insert("industry".into(), "retail: food".into());
    customer.fields.insert("verified".into(), true.into());
    customer.conflicts = vec![Conflict {
        field: "fields.industry".into(),
        value: None,
        by: None,
        at: None,
    }];
    round_trip(&customer);

    round_trip(&Interaction {
        id: "20261122t101500-7k3fq".into(),
        external_id: Some("zendesk-1234".into()),
        customer: "ana-lima".into(),
        at: parse_timestamp("2026-11-22T11:15:00+01:00").unwrap(),
        channel: "questionnaire".into(),
        direction: Some(Direction::Inbound),
        purpose: Some(Purpose::Service),
        owner: Some("alice".into()),
        summary: Some("NPS answer: 'great'".into()),
        body: Some("Line one\n\n  indented line\nlast: line\n".into()),
        deal: Some("ana-lima-renewal".into()),
        ticket: Some("ana-lima-printer-jams".into()),
        campaign: Some("autumn-offer".into()),
        follow_up: Some(parse_date("2026-12-01").unwrap()),
        score: Some(9),
        message_id: Some("abc.123@mail.example".into()),
        conflicts: Vec::new(),
    });

    round_trip(&Deal {
        id: "ana-lima-renewal".into(),
        external_id: Some("9001".into()),
        customer: "ana-lima".into(),
        title: "Renewal".into(),
        owner: Some("alice".into()),
        amount: Some(parse_decimal("1234567.89").unwrap()),
        currency: Some("EUR".into()),
        stage: "won".into(),
        created: parse_date("2026-01-10").unwrap(),
        expected_close: Some(parse_date("2026-03-01").unwrap()),
        lines: vec![
            line("consult-day", "10", "1200.5"),
            line("toner", "0.5", "0.1"),
        ],
        history: vec![
            StageMove {
                stage: "qualification".into(),
                at: parse_date("2026-01-10").unwrap(),
                by: Some("alice".into()),
            },
            StageMove {
                stage: "won".into(),
                at: parse_date("2026-02-27").unwrap(),
                by: None,
            },
        ],
        outcome: Some(Outcome::Won),
        closed: Some(parse_date("2026-02-27").unwrap()),
        lost_reason: Some("n/a".into()),
        conflicts: vec![Conflict {
            field: "owner".into(),
            value: Some("bob".into()),
            by: Some("Bob".into()),
            at: Some(parse_timestamp("2026-02-01T08:00:00+01:00").unwrap()),
        }],
    });

    round_trip(&Product {
        id: "toner".into(),
        external_id: Some("TONER-A4".into()),
        name: "Toner A4".into(),
        category: Some("supplies".into()),
        price: parse_decimal("19.90").unwrap(),
        cost: Some(parse_decimal("7.999").unwrap()),
        segment: Some("budget".into()),
        upgrade_after_years: Some(4),
        successor: Some("toner-2".into()),
        conflicts: Vec::new(),
    });

    round_trip(&Order {
        id: "20261122t101500-abcde".into(),
        external_id: Some("536365".into()),
        customer: "ana-lima".into(),
        at: parse_timestamp("2026-11-22T10:15:00Z").unwrap(),
        lines: vec![line("toner", "3", "19.9")],
        total: Some(parse_decimal("59.7").unwrap()),
        payment_method: Some("invoice".into()),
        channel: Some("web".into()),
        deal: Some("ana-lima-renewal".into()),
        conflicts: Vec::new(),
    });

    round_trip(&Ticket {
        id: "ana-lima-printer-jams".into(),
        external_id: Some("zendesk-77".into()),
        customer: "ana-lima".into(),
        subject: "Printer jams: \"E7\" # again".into(),
        kind: TicketKind::Repair,
        priority: Priority::Urgent,
        status: Status::Resolved,
        owner: Some("alice".into()),
        asset: Some("ana-lima-printer".into()),
        product: Some("printer".into()),
        opened: parse_timestamp("2026-11-20T09:00:00+01:00").unwrap(),
        first_response: Some(parse_timestamp("2026-11-20T09:30:00Z").unwrap()),
        resolved: Some(parse_timestamp("2026-11-21T17:00:00Z").unwrap()),
        history: vec![
            TicketEvent {
                status: Status::Open,
                at: parse_timestamp("2026-11-20T09:00:00+01:00").unwrap(),
                by: Some("alice".into()),
                note: Some("no".into()),
            },
            TicketEvent {
                status: Status::Resolved,
                at: parse_timestamp("2026-11-21T17:00:00Z").unwrap(),
                by: None,
                note: None,
            },
        ],
        conflicts: Vec::new(),
    });

    round_trip(&Asset {
        id: "ana-lima-printer".into(),
        external_id: Some("SN-007".into()),
        customer: "ana-lima".into(),
        product: "printer".into(),
        serial: Some("007".into()),
        installed: Some(parse_date("2022-03-01").unwrap()),
        warranty_until: Some(parse_date("2025-03-01").unwrap()),
        service_every_days: Some(180),
        last_service: Some(parse_date("2026-09-01").unwrap()),
        retired: Some(parse_date("2026-11-01").unwrap()),
        conflicts: Vec::new(),
    });

    round_trip(&Campaign {
        id: "autumn-offer".into(),
        external_id: Some("mailchimp-5".into()),
        name: "Autumn offer".into(),
        channel: "email".into(),
        segment: Some("eu".into()),
        filter: Some("region = \"EU\" and orders.total >= 1000".into()),
        start: Some(parse_date("2026-10-01").unwrap()),
        end: Some(parse_date("2026-10-31").unwrap()),
        owner: Some("bob".into()),
        launched: Some(parse_timestamp("2026-09-30T08:00:00Z").unwrap()),
        members: vec!["acme-corp".into(), "ana-lima".into()],
        excluded: Vec::new(),
        conflicts: vec![Conflict {
            field: "end".into(),
            value: Some("2026-11-15".into()),
            by: Some("bo".into()),
            at: Some(parse_timestamp("2026-10-02T08:00:00Z").unwrap()),
        }],
    });
}

#[test]
fn amounts_beyond_float_precision_survive_as_text() {
    let product = Product {
        id: "x".into(),
        external_id: None,
        name: "X".into(),
        category: None,
        price: parse_decimal("123456789012345.6789").unwrap(),
        cost: None,
        segment: None,
        upgrade_after_years: None,
        successor: None,
        conflicts: Vec::new(),
    };
    let text = relate::store::to_yaml(&product).unwrap();
    assert!(text.contains("price: '123456789012345.6789'"), "{text}");
    round_trip(&product);
}
