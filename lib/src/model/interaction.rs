//! An interaction: one logged contact with a customer through some channel.

use chrono::NaiveDate;
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use super::assign::{Assign, Assignment, unknown_field};
use super::merge::Conflict;
use super::values::{Timestamp, parse_date, parse_timestamp, timestamp, utc_date};
use super::{
    FieldProblem, Kind, Record, Reference, Settings, blank_optional_problems, id_problems,
    owner_problem,
};

keyword_enum! {
    /// Who started the contact.
    Direction "direction" {
        Inbound => "inbound",
        Outbound => "outbound",
    }
}

keyword_enum! {
    /// What the contact was for: the three operational areas of a CRM.
    Purpose "purpose" {
        Sales => "sales",
        Service => "service",
        Marketing => "marketing",
    }
}

/// The interaction's fields in file order, besides `conflicts`: the columns of
/// its CSV export and import.
pub const FIELDS: &[&str] = &[
    "id",
    "external_id",
    "customer",
    "at",
    "channel",
    "direction",
    "purpose",
    "owner",
    "summary",
    "body",
    "deal",
    "ticket",
    "campaign",
    "follow_up",
    "score",
    "message_id",
];

/// The channel through which questionnaire answers (with a `score`) arrive.
pub const QUESTIONNAIRE: &str = "questionnaire";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    pub id: CompactString,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<CompactString>,
    pub customer: CompactString,
    #[serde(with = "timestamp")]
    pub at: Timestamp,
    pub channel: CompactString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<CompactString>,
    /// The service ticket it was about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<CompactString>,
    /// The marketing campaign it belonged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<CompactString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// The Message-ID of an imported e-mail, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<CompactString>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl Interaction {
    /// A contact with `customer` at `at` through `channel`, with nothing else
    /// said yet and no id.
    pub fn new(
        customer: impl Into<CompactString>,
        at: Timestamp,
        channel: impl Into<CompactString>,
    ) -> Self {
        Interaction {
            id: CompactString::default(),
            external_id: None,
            customer: customer.into(),
            at,
            channel: channel.into(),
            direction: None,
            purpose: None,
            owner: None,
            summary: None,
            body: None,
            deal: None,
            ticket: None,
            campaign: None,
            follow_up: None,
            score: None,
            message_id: None,
            conflicts: Vec::new(),
        }
    }
}

impl Assign for Interaction {
    /// All but the id.
    const FIELDS: &'static [&'static str] = match FIELDS.split_first() {
        Some((_id, rest)) => rest,
        None => &[],
    };

    fn assign(&mut self, a: &Assignment) -> Result<(), String> {
        match a.field.as_str() {
            "external_id" => self.external_id = a.text()?,
            "customer" => {
                self.customer = a.reference()?.ok_or("an interaction needs a customer")?
            }
            "at" => {
                self.at = a
                    .parsed(parse_timestamp)?
                    .ok_or("an interaction needs `at`")?
            }
            "channel" => self.channel = a.required()?,
            "direction" => self.direction = a.parsed(str::parse)?,
            "purpose" => self.purpose = a.parsed(str::parse)?,
            "owner" => self.owner = a.text()?,
            "summary" => self.summary = a.text()?,
            "body" => self.body = a.text()?,
            "deal" => self.deal = a.reference()?,
            "ticket" => self.ticket = a.reference()?,
            "campaign" => self.campaign = a.reference()?,
            "follow_up" => self.follow_up = a.parsed(parse_date)?,
            "score" => self.score = a.whole()?,
            "message_id" => self.message_id = a.text()?,
            field => return Err(unknown_field::<Interaction>(field)),
        }
        Ok(())
    }
}

impl Record for Interaction {
    const KIND: Kind = Kind::Interaction;

    record_accessors!(customer);

    fn references(&self) -> Vec<Reference<'_>> {
        let others = [
            ("deal", Kind::Deal, &self.deal),
            ("ticket", Kind::Ticket, &self.ticket),
            ("campaign", Kind::Campaign, &self.campaign),
        ];
        let others = (others.into_iter())
            .filter_map(|(field, kind, id)| Some(Reference::new(field, kind, id.as_deref()?)));
        std::iter::once(Reference::new("customer", Kind::Customer, &self.customer))
            .chain(others)
            .collect()
    }

    fn channel(&self) -> Option<&str> {
        Some(&self.channel)
    }

    fn filed_date(&self) -> Option<NaiveDate> {
        Some(utc_date(&self.at))
    }

    fn problems(&self, settings: &Settings) -> Vec<FieldProblem> {
        let mut problems = id_problems(&self.id);
        problems.extend(owner_problem(settings, self.owner.as_deref()));
        problems.extend(blank_optional_problems([
            ("summary", self.summary.as_deref()),
            ("body", self.body.as_deref()),
            ("owner", self.owner.as_deref()),
        ]));
        if !settings.is_known_channel(&self.channel) {
            problems.push(FieldProblem::new(
                "channel",
                format!(
                    "unknown channel `{}`: use one of {} (or add it to `channels` in relate.yaml)",
                    self.channel,
                    settings.channels.join(", ")
                ),
            ));
        }
        if let Some(score) = self.score
            && score > 10
        {
            problems.push(FieldProblem::new(
                "score",
                format!("score {score} is out of range: use 0 to 10"),
            ));
        }
        problems
    }
}
