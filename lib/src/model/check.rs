//! Checks across records: references that must resolve and duplicates.

use std::collections::{HashMap, HashSet};

use super::erasure::is_pseudonym;
use super::{Asset, Dataset, Kind, Ticket};

/// A problem with one record, found by looking at others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    pub kind: Kind,
    pub id: String,
    /// The top-level key the problem is about.
    pub field: &'static str,
    pub message: String,
    /// For a reference that does not resolve: what it names.
    pub missing: Option<(Kind, String)>,
}

struct Checker<'a> {
    customers: HashSet<&'a str>,
    deals: HashSet<&'a str>,
    products: HashSet<&'a str>,
    tickets: HashSet<&'a str>,
    assets: HashMap<&'a str, &'a Asset>,
    campaigns: HashSet<&'a str>,
    problems: Vec<RecordProblem>,
}

impl Checker<'_> {
    fn reference(&mut self, kind: Kind, id: &str, field: &'static str, target: Kind, value: &str) {
        let known = match target {
            Kind::Customer => self.customers.contains(value),
            Kind::Deal => self.deals.contains(value),
            Kind::Product => self.products.contains(value),
            Kind::Ticket => self.tickets.contains(value),
            Kind::Asset => self.assets.contains_key(value),
            Kind::Campaign => self.campaigns.contains(value),
            Kind::Interaction | Kind::Order => unreachable!("nothing refers to {target}s"),
        };
        if !known {
            self.problems.push(RecordProblem {
                kind,
                id: id.to_string(),
                field,
                message: format!("unknown {target} `{value}`"),
                missing: Some((target, value.to_string())),
            });
        }
    }

    fn problem(&mut self, kind: Kind, id: &str, field: &'static str, message: String) {
        self.problems.push(RecordProblem {
            kind,
            id: id.to_string(),
            field,
            message,
            missing: None,
        });
    }

    /// A ticket's asset must be the customer's, and of the ticket's product.
    fn ticket_asset(&mut self, ticket: &Ticket) {
        let Some(asset) = ticket
            .asset
            .as_deref()
            .and_then(|a| self.assets.get(a).copied())
        else {
            return;
        };
        if asset.customer != ticket.customer {
            let message = format!(
                "asset `{}` belongs to `{}`, not `{}`",
                asset.id, asset.customer, ticket.customer
            );
            self.problem(Kind::Ticket, &ticket.id, "asset", message);
        }
        if ticket
            .product
            .as_deref()
            .is_some_and(|p| p != asset.product)
        {
            let message = format!(
                "product `{}` differs from the product `{}` of asset `{}`",
                ticket.product.as_deref().unwrap_or_default(),
                asset.product,
                asset.id
            );
            self.problem(Kind::Ticket, &ticket.id, "product", message);
        }
    }
}

/// Every reference that does not resolve, and customers sharing an e-mail address.
pub fn cross_problems(data: &Dataset) -> Vec<RecordProblem> {
    let mut checker = Checker {
        // A reference to a merged customer's id (a teammate's record written
        // before the merge reached them) still finds the customer kept.
        customers: (data.customers.iter())
            .flat_map(|c| {
                std::iter::once(c.id.as_str()).chain(c.aliases.iter().map(String::as_str))
            })
            .collect(),
        deals: data.deals.iter().map(|d| d.id.as_str()).collect(),
        products: data.products.iter().map(|p| p.id.as_str()).collect(),
        tickets: data.tickets.iter().map(|t| t.id.as_str()).collect(),
        assets: data.assets.iter().map(|a| (a.id.as_str(), a)).collect(),
        campaigns: data.campaigns.iter().map(|c| c.id.as_str()).collect(),
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
        for (field, target, value) in [
            ("deal", Kind::Deal, &i.deal),
            ("ticket", Kind::Ticket, &i.ticket),
            ("campaign", Kind::Campaign, &i.campaign),
        ] {
            if let Some(value) = value {
                checker.reference(Kind::Interaction, &i.id, field, target, value);
            }
        }
    }
    for t in &data.tickets {
        checker.reference(Kind::Ticket, &t.id, "customer", Kind::Customer, &t.customer);
        if let Some(asset) = &t.asset {
            checker.reference(Kind::Ticket, &t.id, "asset", Kind::Asset, asset);
        }
        if let Some(product) = &t.product {
            checker.reference(Kind::Ticket, &t.id, "product", Kind::Product, product);
        }
        checker.ticket_asset(t);
    }
    for a in &data.assets {
        checker.reference(Kind::Asset, &a.id, "customer", Kind::Customer, &a.customer);
        checker.reference(Kind::Asset, &a.id, "product", Kind::Product, &a.product);
    }
    for c in &data.campaigns {
        for member in &c.members {
            checker.reference(Kind::Campaign, &c.id, "members", Kind::Customer, member);
        }
        for exclusion in &c.excluded {
            let customer = &exclusion.customer;
            checker.reference(Kind::Campaign, &c.id, "excluded", Kind::Customer, customer);
        }
    }
    for p in &data.products {
        if let Some(successor) = &p.successor {
            checker.reference(Kind::Product, &p.id, "successor", Kind::Product, successor);
        }
    }
    for d in &data.deals {
        checker.reference(Kind::Deal, &d.id, "customer", Kind::Customer, &d.customer);
        for line in &d.lines {
            checker.reference(Kind::Deal, &d.id, "lines", Kind::Product, &line.product);
        }
    }
    for o in &data.orders {
        // An erased person's orders name their pseudonym, which no file holds.
        if !is_pseudonym(&o.customer) {
            checker.reference(Kind::Order, &o.id, "customer", Kind::Customer, &o.customer);
        }
        for line in &o.lines {
            checker.reference(Kind::Order, &o.id, "lines", Kind::Product, &line.product);
        }
        if let Some(deal) = &o.deal {
            checker.reference(Kind::Order, &o.id, "deal", Kind::Deal, deal);
        }
    }
    let ids: HashSet<&str> = data.customers.iter().map(|c| c.id.as_str()).collect();
    for c in &data.customers {
        for alias in c
            .aliases
            .iter()
            .filter(|alias| ids.contains(alias.as_str()))
        {
            let message = format!(
                "alias `{alias}` is also the id of a customer: merge it too, or remove the alias"
            );
            checker.problem(Kind::Customer, &c.id, "aliases", message);
        }
    }
    let mut first_with_email: HashMap<String, &str> = HashMap::new();
    for c in &data.customers {
        for email in &c.emails {
            let key = email.trim().to_lowercase();
            match first_with_email.get(&key) {
                Some(first) => {
                    let message = format!(
                        "e-mail `{email}` also belongs to customer `{first}`: a duplicate customer?"
                    );
                    checker.problem(Kind::Customer, &c.id, "emails", message);
                }
                None => {
                    first_with_email.insert(key, &c.id);
                }
            }
        }
    }
    checker.problems
}
