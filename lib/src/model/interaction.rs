//! An interaction: one logged contact with a customer through some channel.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::merge::Conflict;
use super::values::{Timestamp, timestamp, utc_date};
use super::{
    FieldProblem, Kind, Record, Settings, blank_optional_problems, id_problems, owner_problem,
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
    pub id: String,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub customer: String,
    #[serde(with = "timestamp")]
    pub at: Timestamp,
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<String>,
    /// The service ticket it was about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// The marketing campaign it belonged to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    /// The Message-ID of an imported e-mail, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl Interaction {
    /// A contact with `customer` at `at` through `channel`, with nothing else
    /// said yet and no id.
    pub fn new(customer: String, at: Timestamp, channel: String) -> Self {
        Interaction {
            id: String::new(),
            external_id: None,
            customer,
            at,
            channel,
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

impl Record for Interaction {
    const KIND: Kind = Kind::Interaction;

    record_accessors!(customer);

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
