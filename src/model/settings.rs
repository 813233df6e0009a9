//! `relate.yaml`: the store's settings.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::values::{decimal, opt_decimal};

pub const SCHEMA_VERSION: u32 = 1;
pub const WON: &str = "won";
pub const LOST: &str = "lost";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub schema: u32,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Ordered open stages of the sales pipeline; `won` and `lost` follow them.
    #[serde(default)]
    pub pipeline: Vec<PipelineStage>,
    #[serde(default)]
    pub channels: Vec<String>,
    /// Price bands, cheapest first.
    #[serde(default)]
    pub price_segments: Vec<PriceSegment>,
    #[serde(default)]
    pub owners: Vec<Owner>,
    /// Named customer filters.
    #[serde(default)]
    pub segments: BTreeMap<String, Segment>,
}

fn default_currency() -> String {
    "EUR".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineStage {
    pub stage: String,
    #[serde(with = "decimal")]
    pub probability: Decimal,
    /// Counted in the forecast's commit column.
    #[serde(default)]
    pub commit: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSegment {
    pub name: String,
    /// Exclusive upper bound of the unit price; the last band has none.
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub below: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    #[serde(rename = "where")]
    pub filter: String,
}

/// The relate.yaml that `relate init` writes: defaults with comments for the person
/// who opens it.
pub const DEFAULT_SETTINGS_YAML: &str = r#"# relate store settings. Edit by hand; `relate check` validates the result.
# Format reference: docs/format.md in the relate repository.

# Version of the file format of this store.
schema: 1

# Currency of new deals unless one is given.
currency: EUR

# The sales pipeline: open stages in order, each with the probability of
# winning a deal that is there (0 to 1). `won` and `lost` are the terminal
# outcomes and are not listed. `commit: true` counts a stage as commit in
# forecasts.
pipeline:
- stage: qualification
  probability: 0.1
- stage: needs_analysis
  probability: 0.25
- stage: proposal
  probability: 0.5
- stage: negotiation
  probability: 0.75
  commit: true

# Channels through which contacts are logged.
channels:
- phone
- email
- meeting
- chat
- sms
- letter
- web
- social
- questionnaire

# Price segments: bands over a product's unit price, cheapest first. A
# product's segment is the first band whose `below` exceeds its price.
price_segments:
- name: budget
  below: 50
- name: standard
  below: 500
- name: premium

# The team. Records name owners by id; e-mail addresses tell relate which
# messages the team sent.
owners: []
# - id: alice
#   name: Alice Martin
#   email: alice@example.com

# Named customer segments: filters used by `--segment NAME`.
segments: {}
#  eu-organizations:
#    where: 'region = "EU" and kind = "organization"'
"#;

impl Settings {
    /// Index of an open pipeline stage.
    pub fn stage_index(&self, stage: &str) -> Option<usize> {
        self.pipeline.iter().position(|s| s.stage == stage)
    }

    /// Whether `stage` is an open pipeline stage or a terminal outcome.
    pub fn is_known_stage(&self, stage: &str) -> bool {
        stage == WON || stage == LOST || self.stage_index(stage).is_some()
    }

    /// All stage names, open ones first, then the outcomes.
    pub fn stage_names(&self) -> Vec<&str> {
        self.pipeline
            .iter()
            .map(|s| s.stage.as_str())
            .chain([WON, LOST])
            .collect()
    }

    pub fn is_known_channel(&self, channel: &str) -> bool {
        self.channels.iter().any(|c| c == channel)
    }

    pub fn is_known_owner(&self, owner: &str) -> bool {
        self.owners.iter().any(|o| o.id == owner)
    }

    /// The owner id whose e-mail is `email`, if any.
    pub fn owner_by_email(&self, email: &str) -> Option<&Owner> {
        self.owners.iter().find(|o| {
            o.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
    }

    /// How a person appears in records (`by`, `owner`): the owner id whose
    /// e-mail is `email`, else `name`.
    pub fn actor(&self, name: &str, email: &str) -> String {
        self.owner_by_email(email)
            .map_or(name, |owner| owner.id.as_str())
            .to_string()
    }

    /// The price segment a unit price falls in.
    pub fn price_segment(&self, price: Decimal) -> Option<&str> {
        self.price_segments
            .iter()
            .find(|band| band.below.is_none_or(|below| price < below))
            .map(|band| band.name.as_str())
    }

    /// Problems of the settings themselves, as messages.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.schema != SCHEMA_VERSION {
            problems.push(format!(
                "schema {} is not supported by this relate (it reads schema {SCHEMA_VERSION})",
                self.schema
            ));
        }
        for (i, stage) in self.pipeline.iter().enumerate() {
            if stage.stage == WON || stage.stage == LOST {
                problems.push(format!(
                    "pipeline: `{}` is a terminal outcome and must not be listed",
                    stage.stage
                ));
            }
            if self.pipeline[..i].iter().any(|s| s.stage == stage.stage) {
                problems.push(format!("pipeline: stage `{}` is listed twice", stage.stage));
            }
            if stage.probability < Decimal::ZERO || stage.probability > Decimal::ONE {
                problems.push(format!(
                    "pipeline: probability of `{}` must be between 0 and 1",
                    stage.stage
                ));
            }
        }
        let bounds: Vec<_> = self.price_segments.iter().map(|s| s.below).collect();
        let unbounded_before_last = bounds
            .iter()
            .take(bounds.len().saturating_sub(1))
            .any(Option::is_none);
        let increasing = bounds
            .iter()
            .flatten()
            .collect::<Vec<_>>()
            .windows(2)
            .all(|w| w[0] < w[1]);
        if unbounded_before_last || !increasing {
            problems.push(
                "price_segments: bands must be cheapest first with increasing `below`, only the last without one".into(),
            );
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_parse_and_are_clean() {
        let settings: Settings = serde_yaml::from_str(DEFAULT_SETTINGS_YAML).unwrap();
        assert!(settings.problems().is_empty());
        assert_eq!(settings.stage_index("proposal"), Some(2));
        assert_eq!(settings.price_segment(Decimal::from(49)), Some("budget"));
        assert_eq!(settings.price_segment(Decimal::from(50)), Some("standard"));
        assert_eq!(settings.price_segment(Decimal::from(5000)), Some("premium"));
    }
}
