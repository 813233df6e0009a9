//! A marketing campaign: a group of customers (a named segment or a filter)
//! addressed through one channel, whose member list is frozen at launch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::assign::{Assign, Assignment, unknown_field};
use super::duplicates::members_renamed;
use super::merge::Conflict;
use super::values::{Timestamp, opt_timestamp, parse_date, utc_date};
use super::{
    FieldProblem, Kind, Record, Reference, Settings, blank_problem, id_problems, owner_problem,
};
use crate::error::Error;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    pub id: String,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub name: String,
    pub channel: String,
    /// A named segment of relate.yaml selecting the members...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// ...or a filter (docs/filters.md).
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(
        default,
        with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub launched: Option<Timestamp>,
    /// The customer ids the segment or filter selected at launch.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// The customers it selected whose consent left them out, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<Exclusion>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// A customer the segment or filter selected at launch whose consent forbids
/// marketing on the campaign's channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub customer: String,
    /// `withdrawn 2026-10-01`, `no answer (email needs a grant)`.
    pub reason: String,
}

impl Campaign {
    /// Whether the campaign's frozen lists name `customer`.
    pub fn names(&self, customer: &str) -> bool {
        self.members.iter().any(|m| m == customer)
            || self.excluded.iter().any(|e| e.customer == customer)
    }

    /// The frozen lists with each merged customer's id replaced by the id of
    /// the customer kept (once; one who is a member is not also excluded);
    /// whether anything changed.
    pub fn rename_customers<'k>(&mut self, kept_for: impl Fn(&str) -> Option<&'k str>) -> bool {
        let members = members_renamed(&self.members, &kept_for);
        let excluded_renamed = (self.excluded.iter()).any(|e| kept_for(&e.customer).is_some());
        if members.is_none() && !excluded_renamed {
            return false;
        }
        if let Some(members) = members {
            self.members = members;
        }
        let mut excluded: Vec<Exclusion> = Vec::with_capacity(self.excluded.len());
        for exclusion in self.excluded.drain(..) {
            let customer = kept_for(&exclusion.customer)
                .unwrap_or(&exclusion.customer)
                .to_string();
            if !self.members.contains(&customer) && !excluded.iter().any(|e| e.customer == customer)
            {
                excluded.push(Exclusion {
                    customer,
                    reason: exclusion.reason,
                });
            }
        }
        self.excluded = excluded;
        true
    }

    /// Takes `customer` off the frozen lists (a removed customer).
    pub fn drop_customer(&mut self, customer: &str) {
        self.members.retain(|m| m != customer);
        self.excluded.retain(|e| e.customer != customer);
    }

    /// The days whose deals, orders and responses count for the campaign, up to
    /// `as_of`: from its start (else its launch) to its end (else `as_of`).
    /// `None` before the campaign started or when it was never launched.
    pub fn window(&self, as_of: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let start = self.start.or(self.launched.as_ref().map(utc_date))?;
        let end = self.end.map_or(as_of, |end| end.min(as_of));
        (start <= end).then_some((start, end))
    }
}

impl Assign for Campaign {
    const FIELDS: &'static [&'static str] = &[
        "external_id",
        "name",
        "channel",
        "segment",
        "where",
        "start",
        "end",
        "owner",
    ];

    fn assign(&mut self, a: &Assignment) -> Result<(), String> {
        match a.field.as_str() {
            "external_id" => self.external_id = a.text()?,
            "name" => self.name = a.required()?,
            "channel" => self.channel = a.required()?,
            "segment" => self.segment = a.text()?,
            "where" => self.filter = a.text()?,
            "start" => self.start = a.parsed(parse_date)?,
            "end" => self.end = a.parsed(parse_date)?,
            "owner" => self.owner = a.text()?,
            field => return Err(unknown_field::<Campaign>(field)),
        }
        Ok(())
    }

    fn kept_by(field: &str) -> Option<&'static [&'static str]> {
        matches!(field, "launched" | "members" | "excluded").then_some(&["campaign launch"])
    }

    /// What was sent to whom is history once launched: a change would make the
    /// campaign's report describe another campaign.
    fn frozen(&self) -> Option<Error> {
        self.launched.as_ref().map(|at| Error::Launched {
            campaign: self.id.clone(),
            on: utc_date(at),
        })
    }
}

impl Record for Campaign {
    const KIND: Kind = Kind::Campaign;

    record_accessors!();

    fn references(&self) -> Vec<Reference<'_>> {
        let members =
            (self.members.iter()).map(|member| Reference::new("members", Kind::Customer, member));
        let excluded =
            (self.excluded.iter()).map(|e| Reference::new("excluded", Kind::Customer, &e.customer));
        members.chain(excluded).collect()
    }

    fn filters(&self) -> Vec<(&'static str, &str)> {
        self.filter.iter().map(|f| ("where", f.as_str())).collect()
    }

    fn problems(&self, settings: &Settings) -> Vec<FieldProblem> {
        let mut problems = id_problems(&self.id);
        problems.extend(blank_problem("name", &self.name));
        problems.extend(owner_problem(settings, self.owner.as_deref()));
        if !settings.is_known_channel(&self.channel) {
            problems.push(FieldProblem::new(
                "channel",
                format!(
                    "unknown channel `{}`: use one of {}",
                    self.channel,
                    settings.channels.join(", ")
                ),
            ));
        }
        match (&self.segment, &self.filter) {
            (Some(_), Some(_)) | (None, None) => problems.push(FieldProblem::new(
                "segment",
                "a campaign needs either `segment` or `where`, not both",
            )),
            (Some(segment), None) if !settings.segments.contains_key(segment) => {
                problems.push(FieldProblem::new(
                    "segment",
                    format!("unknown segment `{segment}`: see `segments` in relate.yaml"),
                ))
            }
            _ => {}
        }
        if let (Some(start), Some(end)) = (self.start, self.end)
            && end < start
        {
            problems.push(FieldProblem::new("end", "`end` is before `start`"));
        }
        if self.launched.is_none() && !self.members.is_empty() {
            problems.push(FieldProblem::new(
                "members",
                "members are set at launch: a campaign with members needs `launched`",
            ));
        }
        if self.launched.is_none() && !self.excluded.is_empty() {
            problems.push(FieldProblem::new(
                "excluded",
                "exclusions are set at launch: a campaign with `excluded` needs `launched`",
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::parse_timestamp;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn campaign() -> Campaign {
        Campaign {
            id: "autumn".into(),
            name: "Autumn".into(),
            channel: "email".into(),
            segment: None,
            filter: Some("region = \"EU\"".into()),
            start: None,
            end: Some(day("2026-10-31")),
            owner: None,
            launched: None,
            members: Vec::new(),
            excluded: Vec::new(),
            conflicts: Vec::new(),
            external_id: None,
        }
    }

    #[test]
    fn window_runs_from_start_or_launch_to_end_or_as_of() {
        let mut c = campaign();
        assert_eq!(c.window(day("2026-11-30")), None, "never launched");
        c.launched = Some(parse_timestamp("2026-10-05T23:30:00-02:00").unwrap());
        // Launched 10-06 01:30 UTC: the window starts on the UTC date.
        assert_eq!(
            c.window(day("2026-11-30")),
            Some((day("2026-10-06"), day("2026-10-31")))
        );
        assert_eq!(
            c.window(day("2026-10-10")),
            Some((day("2026-10-06"), day("2026-10-10")))
        );
        assert_eq!(c.window(day("2026-10-05")), None, "before it started");
        c.start = Some(day("2026-10-01"));
        c.end = None;
        assert_eq!(
            c.window(day("2026-11-30")),
            Some((day("2026-10-01"), day("2026-11-30")))
        );
    }

    #[test]
    fn renaming_merged_customers_keeps_one_entry_each_and_members_first() {
        let mut c = campaign();
        c.members = vec!["acme".into(), "acme-2".into()];
        let excluded = |customer: &str| Exclusion {
            customer: customer.into(),
            reason: "withdrawn 2026-10-01".into(),
        };
        c.excluded = vec![excluded("bob"), excluded("bob-2"), excluded("cid-2")];
        let kept_for = |id: &str| match id {
            "acme-2" => Some("acme"),
            "bob-2" => Some("bob"),
            "cid-2" => Some("acme"),
            _ => None,
        };
        assert!(c.rename_customers(kept_for));
        assert_eq!(c.members, ["acme"]);
        assert_eq!(
            c.excluded,
            [excluded("bob")],
            "a member is not also excluded"
        );
        assert!(!c.rename_customers(kept_for), "nothing left to rename");
        c.drop_customer("bob");
        assert!(c.excluded.is_empty() && c.names("acme") && !c.names("bob"));
    }

    #[test]
    fn problems() {
        let settings: Settings =
            serde_yaml::from_str(crate::model::settings::DEFAULT_SETTINGS_YAML).unwrap();
        let mut c = campaign();
        assert!(c.problems(&settings).is_empty());
        c.channel = "pigeon".into();
        c.segment = Some("vip".into());
        c.start = Some(day("2026-11-01"));
        c.members = vec!["acme".into()];
        let messages: Vec<String> = c
            .problems(&settings)
            .into_iter()
            .map(|p| p.message)
            .collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].starts_with("unknown channel `pigeon`"));
        assert_eq!(
            messages[1],
            "a campaign needs either `segment` or `where`, not both"
        );
        assert_eq!(messages[2], "`end` is before `start`");
        assert!(messages[3].starts_with("members are set at launch"));
        c = campaign();
        c.filter = None;
        c.segment = Some("vip".into());
        assert_eq!(
            c.problems(&settings)[0].message,
            "unknown segment `vip`: see `segments` in relate.yaml"
        );
    }
}
