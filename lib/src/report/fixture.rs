//! Hand-built records for the unit tests of filters and reports.

use rust_decimal::Decimal;
use std::str::FromStr;

use crate::model::customer::CustomerKind;
use crate::model::deal::{Outcome, StageMove};
use crate::model::settings::DEFAULT_SETTINGS_YAML;
use crate::model::values::{midnight_utc, parse_date};
use crate::model::{Customer, Dataset, Deal, Interaction, Line, Order, Settings};

pub fn date(text: &str) -> chrono::NaiveDate {
    parse_date(text).expect("a test date")
}

pub fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).expect("a test number")
}

pub fn customer(id: &str) -> Customer {
    Customer::new(id, id.to_uppercase(), CustomerKind::Person)
}

/// An order of `total` without lines, at midnight UTC of `day`.
pub fn order(customer: &str, day: &str, total: &str) -> Order {
    Order {
        id: format!("{}-{customer}-{total}", day.replace('-', "")).into(),
        total: Some(dec(total)),
        ..Order::new(customer, midnight_utc(date(day)))
    }
}

/// An order of lines `(product, quantity, unit price)`.
pub fn order_lines(customer: &str, day: &str, lines: &[(&str, &str, &str)]) -> Order {
    Order {
        lines: lines
            .iter()
            .map(|(product, quantity, price)| Line {
                product: (*product).into(),
                quantity: dec(quantity),
                price: dec(price),
            })
            .collect(),
        total: None,
        ..order(customer, day, "0")
    }
}

pub fn contact(customer: &str, day: &str) -> Interaction {
    Interaction {
        id: format!("{}-{customer}", day.replace('-', "")).into(),
        ..Interaction::new(customer, midnight_utc(date(day)), "phone")
    }
}

/// A questionnaire answer with a score.
pub fn answer(customer: &str, day: &str, score: u8) -> Interaction {
    Interaction {
        channel: crate::model::interaction::QUESTIONNAIRE.into(),
        score: Some(score),
        ..contact(customer, day)
    }
}

/// A deal created on `created` in the first stage; with `won`, won on that date.
pub fn deal(id: &str, customer: &str, created: &str, amount: &str, won: Option<&str>) -> Deal {
    let mut history = vec![StageMove {
        stage: "qualification".into(),
        at: date(created),
        by: None,
    }];
    if let Some(day) = won {
        history.push(StageMove {
            stage: "won".into(),
            at: date(day),
            by: None,
        });
    }
    Deal {
        id: id.into(),
        customer: customer.into(),
        title: id.into(),
        owner: None,
        amount: Some(dec(amount)),
        currency: None,
        stage: if won.is_some() {
            "won"
        } else {
            "qualification"
        }
        .into(),
        created: date(created),
        expected_close: None,
        lines: Vec::new(),
        history,
        outcome: won.map(|_| Outcome::Won),
        closed: won.map(date),
        lost_reason: None,
        external_id: None,
        conflicts: Vec::new(),
    }
}

pub fn settings() -> Settings {
    serde_yaml::from_str(DEFAULT_SETTINGS_YAML).expect("default settings")
}

/// A data set of `customers` and `orders` under the default settings.
pub fn dataset(customers: Vec<Customer>, orders: Vec<Order>) -> Dataset {
    Dataset {
        orders,
        customers,
        ..Dataset::empty(settings())
    }
}
