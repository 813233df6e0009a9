//! A service ticket: a customer's question, repair, warranty claim, maintenance
//! request or complaint, from opening to resolution, with its status history.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::assign::{Assign, Assignment, unknown_field};
use super::merge::Conflict;
use super::settings::Priority;
use super::settings::SlaTarget;
use super::values::{Timestamp, hours, opt_timestamp, parse_timestamp, timestamp, utc_date};
use super::{
    FieldProblem, Kind, Record, Reference, Settings, blank_problem, id_problems, owner_problem,
};
use crate::error::Refusal;

keyword_enum! {
    /// What the customer needs.
    TicketKind "ticket kind" {
        Question => "question",
        Repair => "repair",
        Warranty => "warranty",
        Maintenance => "maintenance",
        Complaint => "complaint",
    }
}

keyword_enum! {
    /// Where a ticket stands. Only `resolved` ends it (until it is reopened).
    Status "ticket status" {
        Open => "open",
        InProgress => "in_progress",
        Waiting => "waiting",
        Resolved => "resolved",
    }
}

/// One entry of a ticket's history: a status change or a note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketEvent {
    pub status: Status,
    #[serde(with = "timestamp")]
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    pub id: String,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub customer: String,
    pub subject: String,
    pub kind: TicketKind,
    pub priority: Priority,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The customer's equipment the ticket is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// The product concerned (the asset's product when there is an asset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    #[serde(with = "timestamp")]
    pub opened: Timestamp,
    /// When the customer first heard back.
    #[serde(
        default,
        with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub first_response: Option<Timestamp>,
    /// When it was resolved; cleared when reopened.
    #[serde(
        default,
        with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub resolved: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<TicketEvent>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// The two SLA clocks of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    FirstResponse,
    Resolution,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::FirstResponse => "first_response",
            Target::Resolution => "resolution",
        }
    }
}

/// One SLA clock of one ticket: when it is due and when it was met, if it was.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deadline {
    pub target: Target,
    pub due: Timestamp,
    pub met: Option<Timestamp>,
}

impl Deadline {
    /// Whether the clock was missed by `now`: met late, or not met and past due.
    pub fn breached(&self, now: &Timestamp) -> bool {
        self.met.map_or(*now > self.due, |met| met > self.due)
    }
}

impl Ticket {
    pub fn is_open(&self) -> bool {
        self.status != Status::Resolved
    }

    fn last_event_at(&self) -> Timestamp {
        self.history.last().map_or(self.opened, |e| e.at)
    }

    fn ensure_not_before_last(&self, at: &Timestamp) -> Result<(), Refusal> {
        if *at < self.last_event_at() {
            return Err(Refusal::BeforeLastChange {
                at: super::values::format_timestamp(at),
                last: super::values::format_timestamp(&self.last_event_at()),
            });
        }
        Ok(())
    }

    fn record(&mut self, status: Status, at: Timestamp, by: Option<String>, note: Option<String>) {
        self.status = status;
        self.history.push(TicketEvent {
            status,
            at,
            by,
            note,
        });
    }

    /// Changes the status of an open ticket and/or adds a note. Resolving goes
    /// through [`Ticket::resolve`], which also stops the SLA clocks.
    /// Changes the priority and owner, returning what changed as a note for the
    /// history (`priority normal -> urgent; owner bob -> carol`).
    pub fn reassign(
        &mut self,
        priority: Option<Priority>,
        owner: Option<String>,
    ) -> Option<String> {
        let mut changes = Vec::new();
        if let Some(priority) = priority.filter(|p| *p != self.priority) {
            changes.push(format!("priority {} -> {priority}", self.priority));
            self.priority = priority;
        }
        if let Some(owner) = owner.filter(|o| self.owner.as_ref() != Some(o)) {
            let before = self.owner.as_deref().unwrap_or("nobody");
            changes.push(format!("owner {before} -> {owner}"));
            self.owner = Some(owner);
        }
        (!changes.is_empty()).then(|| changes.join("; "))
    }

    pub fn update(
        &mut self,
        status: Option<Status>,
        note: Option<String>,
        at: Timestamp,
        by: Option<String>,
    ) -> Result<(), Refusal> {
        if !self.is_open() {
            return Err(Refusal::TicketResolved {
                ticket: self.id.clone(),
            });
        }
        if status == Some(Status::Resolved) {
            return Err(Refusal::UpdateResolves {
                ticket: self.id.clone(),
            });
        }
        self.ensure_not_before_last(&at)?;
        self.record(status.unwrap_or(self.status), at, by, note);
        Ok(())
    }

    /// Resolves an open ticket. Telling the customer is a response, so a ticket
    /// resolved without one gets its first response now.
    pub fn resolve(
        &mut self,
        at: Timestamp,
        by: Option<String>,
        note: Option<String>,
    ) -> Result<(), Refusal> {
        if !self.is_open() {
            return Err(Refusal::AlreadyResolved {
                ticket: self.id.clone(),
            });
        }
        self.ensure_not_before_last(&at)?;
        self.record(Status::Resolved, at, by, note);
        self.resolved = Some(at);
        self.first_response.get_or_insert(at);
        Ok(())
    }

    /// Reopens a resolved ticket: its resolution clock runs again from the
    /// original opening.
    pub fn reopen(
        &mut self,
        at: Timestamp,
        by: Option<String>,
        note: Option<String>,
    ) -> Result<(), Refusal> {
        if self.is_open() {
            return Err(Refusal::NotResolved {
                ticket: self.id.clone(),
                status: self.status.to_string(),
            });
        }
        self.ensure_not_before_last(&at)?;
        self.record(Status::Open, at, by, note);
        self.resolved = None;
        Ok(())
    }

    /// Records a response to the customer at `at`; only the first one counts.
    /// Returns whether the ticket changed.
    pub fn respond(&mut self, at: Timestamp) -> bool {
        let first = self.first_response.is_none() && at >= self.opened;
        if first {
            self.first_response = Some(at);
        }
        first
    }

    /// The ticket as it stood at the end of `date` (UTC): later history undone,
    /// a later response or resolution forgotten.
    pub fn rewind_to(&mut self, date: NaiveDate) {
        let after = |at: &Timestamp| utc_date(at) > date;
        self.history.retain(|e| !after(&e.at));
        if let Some(last) = self.history.last() {
            self.status = last.status;
        }
        if self.first_response.as_ref().is_some_and(after) {
            self.first_response = None;
        }
        if self.resolved.as_ref().is_some_and(after) {
            self.resolved = None;
            if self.status == Status::Resolved {
                self.status = Status::Open;
            }
        }
    }

    /// The ticket's SLA clocks under `target`: first response, then resolution.
    pub fn deadlines(&self, target: &SlaTarget) -> [Deadline; 2] {
        [
            Deadline {
                target: Target::FirstResponse,
                due: self.opened + hours(target.first_response_hours),
                met: self.first_response.or(self.resolved),
            },
            Deadline {
                target: Target::Resolution,
                due: self.opened + hours(target.resolution_hours),
                met: self.resolved,
            },
        ]
    }

    /// The SLA clocks of the ticket's priority, if relate.yaml sets one.
    pub fn sla(&self, settings: &Settings) -> Option<[Deadline; 2]> {
        settings.sla.get(&self.priority).map(|t| self.deadlines(t))
    }
}

impl Assign for Ticket {
    const FIELDS: &'static [&'static str] = &[
        "external_id",
        "customer",
        "subject",
        "kind",
        "priority",
        "owner",
        "asset",
        "product",
        "opened",
    ];

    fn assign(&mut self, a: &Assignment) -> Result<(), String> {
        match a.field.as_str() {
            "external_id" => self.external_id = a.text()?,
            "customer" => self.customer = a.reference()?.ok_or("a ticket needs a customer")?,
            "subject" => self.subject = a.required()?,
            "kind" => self.kind = a.parsed(str::parse)?.ok_or("a ticket needs a kind")?,
            "priority" => {
                self.priority = a.parsed(str::parse)?.ok_or("a ticket needs a priority")?
            }
            "owner" => self.owner = a.text()?,
            "asset" => self.asset = a.reference()?,
            "product" => self.product = a.reference()?,
            "opened" => {
                self.opened = a
                    .parsed(parse_timestamp)?
                    .ok_or("a ticket needs `opened`")?
            }
            field => return Err(unknown_field::<Ticket>(field)),
        }
        Ok(())
    }

    fn kept_by(field: &str) -> Option<&'static [&'static str]> {
        match field {
            "status" | "resolved" | "history" => {
                Some(&["ticket update", "ticket resolve", "ticket reopen"])
            }
            // The first outbound contact logged about the ticket sets it.
            "first_response" => Some(&["log"]),
            _ => None,
        }
    }
}

impl Record for Ticket {
    const KIND: Kind = Kind::Ticket;

    record_accessors!(customer);

    fn references(&self) -> Vec<Reference<'_>> {
        let asset = (self.asset.iter()).map(|asset| Reference::new("asset", Kind::Asset, asset));
        let product =
            (self.product.iter()).map(|product| Reference::new("product", Kind::Product, product));
        std::iter::once(Reference::new("customer", Kind::Customer, &self.customer))
            .chain(asset)
            .chain(product)
            .collect()
    }

    fn problems(&self, settings: &Settings) -> Vec<FieldProblem> {
        let mut problems = id_problems(&self.id);
        problems.extend(blank_problem("subject", &self.subject));
        problems.extend(owner_problem(settings, self.owner.as_deref()));
        if self.history.windows(2).any(|w| w[1].at < w[0].at) {
            problems.push(FieldProblem::new("history", "history is not in time order"));
        }
        if self.history.first().is_some_and(|e| e.at < self.opened) {
            problems.push(FieldProblem::new(
                "history",
                "history starts before the ticket was opened",
            ));
        }
        if let Some(last) = self.history.last()
            && last.status != self.status
        {
            problems.push(FieldProblem::new(
                "status",
                format!(
                    "status `{}` differs from the last history entry `{}`",
                    self.status, last.status
                ),
            ));
        }
        match (self.status, self.resolved) {
            (Status::Resolved, None) => problems.push(FieldProblem::new(
                "resolved",
                "a resolved ticket needs its `resolved` time",
            )),
            (status, Some(_)) if status != Status::Resolved => problems.push(FieldProblem::new(
                "resolved",
                format!("a ticket that is {status} has no `resolved` time"),
            )),
            _ => {}
        }
        for (field, at) in [
            ("first_response", self.first_response),
            ("resolved", self.resolved),
        ] {
            if at.is_some_and(|at| at < self.opened) {
                problems.push(FieldProblem::new(
                    field,
                    format!("`{field}` is before the ticket was opened"),
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::parse_timestamp;
    use rust_decimal::Decimal;

    fn settings() -> Settings {
        serde_yaml::from_str(crate::model::settings::DEFAULT_SETTINGS_YAML).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        parse_timestamp(text).unwrap()
    }

    fn ticket() -> Ticket {
        Ticket {
            id: "acme-printer-jams".into(),
            customer: "acme".into(),
            subject: "Printer jams".into(),
            kind: TicketKind::Repair,
            priority: Priority::High,
            status: Status::Open,
            owner: None,
            asset: None,
            product: None,
            opened: at("2026-11-20T09:00:00Z"),
            first_response: None,
            resolved: None,
            history: vec![TicketEvent {
                status: Status::Open,
                at: at("2026-11-20T09:00:00Z"),
                by: None,
                note: None,
            }],
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    #[test]
    fn life_cycle() {
        let mut t = ticket();
        t.update(
            Some(Status::InProgress),
            None,
            at("2026-11-20T10:00:00Z"),
            None,
        )
        .unwrap();
        assert_eq!(t.status, Status::InProgress);
        // An update never resolves, and never goes back in time.
        assert!(
            t.update(
                Some(Status::Resolved),
                None,
                at("2026-11-20T11:00:00Z"),
                None
            )
            .is_err()
        );
        assert!(
            t.update(None, None, at("2026-11-20T09:30:00Z"), None)
                .is_err()
        );
        assert!(t.reopen(at("2026-11-20T11:00:00Z"), None, None).is_err());
        t.resolve(at("2026-11-21T09:00:00Z"), None, Some("fixed".into()))
            .unwrap();
        // Resolved without a logged response: the resolution told the customer.
        assert_eq!(t.first_response, Some(at("2026-11-21T09:00:00Z")));
        assert!(t.resolve(at("2026-11-21T10:00:00Z"), None, None).is_err());
        assert!(
            t.update(None, Some("x".into()), at("2026-11-21T10:00:00Z"), None)
                .is_err()
        );
        t.reopen(at("2026-11-22T09:00:00Z"), None, None).unwrap();
        assert_eq!((t.status, t.resolved), (Status::Open, None));
        assert_eq!(t.history.len(), 4);
        assert!(t.problems(&settings()).is_empty());
    }

    #[test]
    fn only_the_first_response_counts() {
        let mut t = ticket();
        assert!(
            !t.respond(at("2026-11-20T08:00:00Z")),
            "before it was opened"
        );
        assert!(t.respond(at("2026-11-20T12:00:00Z")));
        assert!(!t.respond(at("2026-11-20T13:00:00Z")));
        assert_eq!(t.first_response, Some(at("2026-11-20T12:00:00Z")));
    }

    #[test]
    fn deadlines_and_breaches() {
        let mut t = ticket();
        let target = SlaTarget {
            first_response_hours: Decimal::new(5, 1), // 0.5 h = 30 min
            resolution_hours: Decimal::from(24),
        };
        let [first, resolution] = t.deadlines(&target);
        assert_eq!(first.due, at("2026-11-20T09:30:00Z"));
        assert_eq!(resolution.due, at("2026-11-21T09:00:00Z"));
        // Pending: breached only once the due time has passed.
        assert!(!first.breached(&at("2026-11-20T09:30:00Z")));
        assert!(first.breached(&at("2026-11-20T09:30:01Z")));
        t.respond(at("2026-11-20T09:20:00Z"));
        t.resolve(at("2026-11-21T09:00:01Z"), None, None).unwrap();
        let [first, resolution] = t.deadlines(&target);
        let later = at("2026-12-01T00:00:00Z");
        assert!(!first.breached(&later), "met in time");
        assert!(resolution.breached(&later), "one second late");
    }

    #[test]
    fn rewinding_undoes_later_changes() {
        let mut t = ticket();
        t.respond(at("2026-11-20T12:00:00Z"));
        t.resolve(at("2026-11-22T09:00:00Z"), None, None).unwrap();
        let mut on_21st = t.clone();
        on_21st.rewind_to("2026-11-21".parse().unwrap());
        assert_eq!(
            (on_21st.status, on_21st.resolved, on_21st.history.len()),
            (Status::Open, None, 1)
        );
        assert_eq!(on_21st.first_response, t.first_response);
        let mut on_20th_morning = t.clone();
        on_20th_morning.rewind_to("2026-11-19".parse().unwrap());
        assert_eq!(on_20th_morning.first_response, None);
    }

    #[test]
    fn problems() {
        let mut t = ticket();
        t.status = Status::Resolved;
        t.first_response = Some(at("2026-11-19T00:00:00Z"));
        let messages: Vec<String> = t
            .problems(&settings())
            .into_iter()
            .map(|p| p.message)
            .collect();
        assert_eq!(
            messages,
            [
                "status `resolved` differs from the last history entry `open`",
                "a resolved ticket needs its `resolved` time",
                "`first_response` is before the ticket was opened",
            ]
        );
    }
}
