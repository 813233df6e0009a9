//! Checks across records: references that must resolve and duplicates.

use std::collections::{HashMap, HashSet};

use super::{Dataset, Kind};

/// A problem with one record, found by looking at others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    pub kind: Kind,
    pub id: String,
    /// The top-level key the problem is about.
    pub field: &'static str,
    pub message: String,
}

struct Checker<'a> {
    customers: HashSet<&'a str>,
    deals: HashSet<&'a str>,
    products: HashSet<&'a str>,
    problems: Vec<RecordProblem>,
}

impl Checker<'_> {
    fn reference(&mut self, kind: Kind, id: &str, field: &'static str, target: Kind, value: &str) {
        let known = match target {
            Kind::Customer => &self.customers,
            Kind::Deal => &self.deals,
            Kind::Product => &self.products,
            Kind::Interaction | Kind::Order => unreachable!("nothing refers to {target}s"),
        };
        if !known.contains(value) {
            self.problems.push(RecordProblem {
                kind,
                id: id.to_string(),
                field,
                message: format!("unknown {target} `{value}`"),
            });
        }
    }
}

/// Every reference that does not resolve, and customers sharing an e-mail address.
pub fn cross_problems(data: &Dataset) -> Vec<RecordProblem> {
    let mut checker = Checker {
        customers: data.customers.iter().map(|c| c.id.as_str()).collect(),
        deals: data.deals.iter().map(|d| d.id.as_str()).collect(),
        products: data.products.iter().map(|p| p.id.as_str()).collect(),
        problems: Vec::new(),
    };
    for i in &data.interactions {
        checker.reference(
            Kind::Interaction,
            &i.id,
            "customer",
            Kind::Customer,
            &i.customer,
        );
        if let Some(deal) = &i.deal {
            checker.reference(Kind::Interaction, &i.id, "deal", Kind::Deal, deal);
        }
    }
    for d in &data.deals {
        checker.reference(Kind::Deal, &d.id, "customer", Kind::Customer, &d.customer);
        for line in &d.lines {
            checker.reference(Kind::Deal, &d.id, "lines", Kind::Product, &line.product);
        }
    }
    for o in &data.orders {
        checker.reference(Kind::Order, &o.id, "customer", Kind::Customer, &o.customer);
        for line in &o.lines {
            checker.reference(Kind::Order, &o.id, "lines", Kind::Product, &line.product);
        }
        if let Some(deal) = &o.deal {
            checker.reference(Kind::Order, &o.id, "deal", Kind::Deal, deal);
        }
    }
    let mut first_with_email: HashMap<String, &str> = HashMap::new();
    for c in &data.customers {
        for email in &c.emails {
            let key = email.trim().to_lowercase();
            match first_with_email.get(&key) {
                Some(first) => checker.problems.push(RecordProblem {
                    kind: Kind::Customer,
                    id: c.id.clone(),
                    field: "emails",
                    message: format!(
                        "e-mail `{email}` also belongs to customer `{first}`: a duplicate customer?"
                    ),
                }),
                None => {
                    first_with_email.insert(key, &c.id);
                }
            }
        }
    }
    checker.problems
}
