//! `relate.yaml`: the store's settings.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::values::{Zone, decimal, opt_decimal};
use crate::error::{Error, Result};

pub const SCHEMA_VERSION: u32 = 1;
pub const WON: &str = "won";
pub const LOST: &str = "lost";

keyword_enum! {
    /// How urgent a ticket is; each priority has its own SLA, most urgent first.
    Priority "priority" {
        Urgent => "urgent",
        High => "high",
        Normal => "normal",
        Low => "low",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub schema: u32,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// What one unit of another currency is worth in `currency`: the reports
    /// that sum deal amounts convert with it; a currency without a rate is
    /// never summed with `currency` (docs/analytics.md, "Currencies").
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "super::values::decimal_map"
    )]
    pub exchange_rates: BTreeMap<String, Decimal>,
    /// The timezone of date-times given without an offset (UTC when not set).
    #[serde(default, skip_serializing_if = "Zone::is_utc")]
    pub timezone: Zone,
    /// The country (ISO 3166 code, e.g. `NL`) of phone numbers written without
    /// a country code, for comparing phones in E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_region: Option<String>,
    /// Ordered open stages of the sales pipeline; `won` and `lost` follow them.
    #[serde(default)]
    pub pipeline: Vec<PipelineStage>,
    #[serde(default)]
    pub channels: Vec<String>,
    /// Price bands, cheapest first.
    #[serde(default)]
    pub price_segments: Vec<Band>,
    #[serde(default)]
    pub owners: Vec<Owner>,
    /// Named customer filters.
    #[serde(default)]
    pub segments: BTreeMap<String, Segment>,
    /// Parameters of the analytical reports.
    #[serde(default)]
    pub analytics: Analytics,
    /// Service level agreements per ticket priority; a priority without one has no SLA.
    #[serde(default = "default_sla")]
    pub sla: BTreeMap<Priority, SlaTarget>,
    /// Parameters of `relate agenda`.
    #[serde(default)]
    pub agenda: Agenda,
    /// What no answer means on each channel (docs/privacy.md).
    #[serde(default)]
    pub consent: ConsentSettings,
}

/// The largest exchange rate: any amount up to `MAX_AMOUNT` converted at
/// it, and a million of those summed, still fits a decimal.
const MAX_RATE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

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
    /// `relate agenda` flags a deal that stays here longer than this many days
    /// without a stage move or an interaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_days: Option<u32>,
}

/// The hours within which a ticket of one priority gets its first response and
/// its resolution, on the calendar clock (nights and weekends count).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaTarget {
    #[serde(with = "decimal")]
    pub first_response_hours: Decimal,
    #[serde(with = "decimal")]
    pub resolution_hours: Decimal,
}

fn default_sla() -> BTreeMap<Priority, SlaTarget> {
    let target = |first: i64, resolution: i64| SlaTarget {
        first_response_hours: Decimal::from(first),
        resolution_hours: Decimal::from(resolution),
    };
    BTreeMap::from([
        (Priority::Urgent, target(1, 8)),
        (Priority::High, target(4, 24)),
        (Priority::Normal, target(8, 72)),
        (Priority::Low, target(24, 168)),
    ])
}

/// The `agenda:` mapping of relate.yaml; every key is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Agenda {
    /// A customer slipped into the at_risk RFM segment when they are in it
    /// today but were not this many days ago.
    pub at_risk_lookback_days: u32,
    /// A customer is flagged as likely lost when their BG/NBD P(alive) is
    /// below this today and was not seven days ago (0 turns it off).
    #[serde(with = "decimal")]
    pub p_alive_threshold: Decimal,
}

impl Default for Agenda {
    fn default() -> Self {
        Agenda {
            at_risk_lookback_days: 30,
            p_alive_threshold: Decimal::new(3, 1),
        }
    }
}

/// The `consent:` mapping of relate.yaml.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsentSettings {
    /// The channels on which a customer who never answered may not be sent
    /// marketing: no answer counts as consent on the others. When not set,
    /// [`ConsentSettings::NEEDS_GRANT`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_grant: Option<Vec<String>>,
}

impl ConsentSettings {
    /// E-mail and SMS marketing need a grant (GDPR, ePrivacy); letters and
    /// calls do not.
    pub const NEEDS_GRANT: &'static [&'static str] = &["email", "sms"];

    pub fn needs_grant(&self, channel: &str) -> bool {
        match &self.needs_grant {
            Some(channels) => channels.iter().any(|c| c == channel),
            None => Self::NEEDS_GRANT.contains(&channel),
        }
    }
}

/// A named band over a number (a price, an age, an income), in a list ordered
/// from the lowest band up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub name: String,
    /// Exclusive upper bound; the last band has none.
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub below: Option<Decimal>,
}

/// The name of the first band whose `below` exceeds `value`.
pub fn band_of(bands: &[Band], value: Decimal) -> Option<&str> {
    bands
        .iter()
        .find(|band| band.below.is_none_or(|below| value < below))
        .map(|band| band.name.as_str())
}

/// A problem with the order of bands, if any.
fn bands_problem(key: &str, bands: &[Band]) -> Option<String> {
    let bounds: Vec<_> = bands.iter().map(|s| s.below).collect();
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
    (unbounded_before_last || !increasing).then(|| {
        format!(
            "{key}: bands must be lowest first with increasing `below`, only the last without one"
        )
    })
}

/// The `analytics:` mapping of relate.yaml; every key is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Analytics {
    /// Age bands for `report segments --by age_band`, youngest first.
    pub age_bands: Vec<Band>,
    /// Bands over `income` for `--by income_band`, lowest first.
    pub income_bands: Vec<Band>,
    /// Expected customer lifespan in years, for the historic CLV.
    #[serde(with = "decimal")]
    pub lifespan_years: Decimal,
    /// A customer is at risk of churn when the days since their last order exceed
    /// this factor times their median gap between orders.
    #[serde(with = "decimal")]
    pub churn_factor: Decimal,
}

impl Default for Analytics {
    fn default() -> Self {
        let band = |name: &str, below: Option<i64>| Band {
            name: name.into(),
            below: below.map(Decimal::from),
        };
        Analytics {
            age_bands: vec![
                band("under 25", Some(25)),
                band("25-34", Some(35)),
                band("35-44", Some(45)),
                band("45-54", Some(55)),
                band("55-64", Some(65)),
                band("65+", None),
            ],
            income_bands: vec![
                band("under 20k", Some(20_000)),
                band("20k-50k", Some(50_000)),
                band("50k-100k", Some(100_000)),
                band("100k+", None),
            ],
            lifespan_years: Decimal::from(3),
            churn_factor: Decimal::from(2),
        }
    }
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

# The store's currency: of orders, prices and reports, and of new deals
# unless one is given.
currency: EUR
# What one unit of another currency is worth in it: reports convert deals in
# those currencies; without a rate they are never summed with it.
# exchange_rates:
#   USD: 0.92

# The timezone of dates and times written without an offset, on the command
# line and in imported files: an IANA name (UTC when not set).
# timezone: Europe/Amsterdam

# The country of phone numbers written without a country code (`06 1234
# 5678`), so that `relate customer duplicates` compares phones in E.164.
# phone_region: NL

# The sales pipeline: open stages in order, each with the probability of
# winning a deal that is there (0 to 1). `won` and `lost` are the terminal
# outcomes and are not listed. `commit: true` counts a stage as commit in
# forecasts. `idle_days: N` makes `relate agenda` flag a deal that stays in
# the stage more than N days without a stage move or an interaction.
pipeline:
- stage: qualification
  probability: 0.1
  idle_days: 14
- stage: needs_analysis
  probability: 0.25
  idle_days: 14
- stage: proposal
  probability: 0.5
  idle_days: 10
- stage: negotiation
  probability: 0.75
  commit: true
  idle_days: 7

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
# See docs/filters.md for the filter language.
segments: {}
#  eu-organizations:
#    where: 'region = "EU" and kind = "organization"'

# Parameters of the reports (`relate report ...`); every key is optional and
# the values below are the defaults.
analytics:
  # Bands for `report segments --by age_band` (age = as-of year - birth_year)
  # and `--by income_band`, lowest first; the last has no `below`.
  age_bands:
  - name: under 25
    below: 25
  - name: 25-34
    below: 35
  - name: 35-44
    below: 45
  - name: 45-54
    below: 55
  - name: 55-64
    below: 65
  - name: 65+
  income_bands:
  - name: under 20k
    below: 20000
  - name: 20k-50k
    below: 50000
  - name: 50k-100k
    below: 100000
  - name: 100k+
  # Expected customer lifespan in years, for the historic CLV of `report value`.
  lifespan_years: 3
  # `report loyalty` flags a customer at risk of churn when the days since
  # their last order exceed churn_factor x their median gap between orders.
  churn_factor: 2

# Service level agreements per ticket priority: the hours within which a
# ticket gets its first response and its resolution, on the calendar clock
# (nights and weekends count). A priority left out has no SLA; without this
# key the values below apply.
sla:
  urgent:
    first_response_hours: 1
    resolution_hours: 8
  high:
    first_response_hours: 4
    resolution_hours: 24
  normal:
    first_response_hours: 8
    resolution_hours: 72
  low:
    first_response_hours: 24
    resolution_hours: 168

# `relate agenda`: a customer "slipped into" the at_risk RFM segment when they
# are in it today but were not this many days ago; and is "likely lost" when
# the P(alive) of `report clv` is below p_alive_threshold today but was not
# seven days ago (0 turns that off).
agenda:
  at_risk_lookback_days: 30
  p_alive_threshold: 0.3

# Consent (`relate consent`, docs/privacy.md): the channels on which a
# customer who never answered gets no marketing (campaigns leave them out,
# `relate log --purpose marketing` is refused). On the other channels no
# answer counts as consent; a withdrawal always forbids.
consent:
  needs_grant:
  - email
  - sms
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

    /// An owner named on the command line to select by (`--owner`): refused
    /// when the team is listed and does not hold it.
    pub fn check_owner_choice(&self, owner: &str) -> Result<()> {
        if self.owners.is_empty() || self.is_known_owner(owner) {
            return Ok(());
        }
        let owners: Vec<&str> = self.owners.iter().map(|o| o.id.as_str()).collect();
        Err(
            Error::usage(format!("unknown owner `{owner}`")).with_hint(format!(
                "the owners in relate.yaml are: {}",
                owners.join(", ")
            )),
        )
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
    /// The region of phone numbers written without a country code.
    pub fn phone_region(&self) -> Option<phonenumber::country::Id> {
        self.phone_region
            .as_deref()
            .and_then(super::duplicates::phone_region)
    }

    pub fn price_segment(&self, price: Decimal) -> Option<&str> {
        band_of(&self.price_segments, price)
    }

    /// `amount` in `currency` as an amount in the store's currency: itself
    /// when it is the store's (or none is named), converted at the rate of
    /// `exchange_rates`, `None` without one.
    pub fn in_store_currency(&self, amount: Decimal, currency: Option<&str>) -> Option<Decimal> {
        if self.is_store_currency(currency) {
            return Some(amount);
        }
        self.rate_of(currency).map(|(_, rate)| amount * rate)
    }

    /// Whether amounts in `currency` are in the store's (none named is).
    pub fn is_store_currency(&self, currency: Option<&str>) -> bool {
        currency
            .map(str::trim)
            .is_none_or(|code| code.is_empty() || code.eq_ignore_ascii_case(&self.currency))
    }

    /// The exchange rate of another `currency`, as relate.yaml names it.
    pub fn rate_of(&self, currency: Option<&str>) -> Option<(&str, Decimal)> {
        let code = currency?.trim();
        if self.is_store_currency(Some(code)) {
            return None;
        }
        (self.exchange_rates.iter())
            .find(|(named, _)| named.eq_ignore_ascii_case(code))
            .map(|(named, rate)| (named.as_str(), *rate))
    }

    /// Problems of the settings themselves, as messages.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (code, rate) in &self.exchange_rates {
            // Bounded, so that no amount relate keeps overflows when converted.
            if *rate <= Decimal::ZERO || *rate > MAX_RATE {
                problems.push(format!(
                    "exchange_rates: `{code}` must be worth more than 0 and at most {MAX_RATE} {}",
                    self.currency
                ));
            }
            if code.eq_ignore_ascii_case(&self.currency) {
                problems.push(format!(
                    "exchange_rates: `{code}` is the store's own currency"
                ));
            }
        }
        if self.schema != SCHEMA_VERSION {
            problems.push(format!(
                "schema {} is not supported by this relate (it reads schema {SCHEMA_VERSION})",
                self.schema
            ));
        }
        if self.pipeline.is_empty() {
            problems.push(
                "pipeline: at least one open stage is needed (deals start in the first)"
                    .to_string(),
            );
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
        problems.extend(bands_problem("price_segments", &self.price_segments));
        problems.extend(bands_problem(
            "analytics.age_bands",
            &self.analytics.age_bands,
        ));
        problems.extend(bands_problem(
            "analytics.income_bands",
            &self.analytics.income_bands,
        ));
        if self.analytics.lifespan_years <= Decimal::ZERO {
            problems.push("analytics.lifespan_years must be more than 0".into());
        }
        if self.analytics.churn_factor <= Decimal::ZERO {
            problems.push("analytics.churn_factor must be more than 0".into());
        }
        if self.agenda.p_alive_threshold < Decimal::ZERO
            || self.agenda.p_alive_threshold > Decimal::ONE
        {
            problems.push("agenda.p_alive_threshold must be between 0 and 1".into());
        }
        for (priority, target) in &self.sla {
            if target.first_response_hours <= Decimal::ZERO
                || target.resolution_hours < target.first_response_hours
            {
                problems.push(format!(
                    "sla: `{priority}` needs first_response_hours above 0 and resolution_hours at least as long"
                ));
            }
        }
        if let Some(code) = &self.phone_region
            && super::duplicates::phone_region(code).is_none()
        {
            problems.push(format!(
                "phone_region: `{code}` is not a country code (two letters, e.g. NL)"
            ));
        }
        // Only a list written out is checked: the default names channels a
        // store may not use.
        for channel in self.consent.needs_grant.iter().flatten() {
            if !self.is_known_channel(channel) {
                problems.push(format!(
                    "consent.needs_grant: `{channel}` is not one of the `channels`"
                ));
            }
        }
        for stage in &self.pipeline {
            if stage.idle_days == Some(0) {
                problems.push(format!(
                    "pipeline: idle_days of `{}` must be more than 0",
                    stage.stage
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_convert_only_at_a_rate_and_never_from_the_store_currency() {
        let mut settings: Settings = serde_yaml::from_str(DEFAULT_SETTINGS_YAML).unwrap();
        settings.exchange_rates = [("USD".to_string(), Decimal::new(92, 2))].into();
        let hundred = Decimal::from(100);
        assert_eq!(settings.in_store_currency(hundred, None), Some(hundred));
        assert_eq!(
            settings.in_store_currency(hundred, Some("eur")),
            Some(hundred)
        );
        assert_eq!(
            settings.in_store_currency(hundred, Some("usd")),
            Some(Decimal::from(92))
        );
        assert_eq!(settings.in_store_currency(hundred, Some("GBP")), None);
        settings.exchange_rates.insert("EUR".into(), Decimal::ZERO);
        settings
            .exchange_rates
            .insert("XBT".into(), Decimal::from(2_000_000));
        assert_eq!(settings.problems().len(), 3, "{:?}", settings.problems());
    }

    #[test]
    fn default_settings_parse_and_are_clean() {
        let settings: Settings = serde_yaml::from_str(DEFAULT_SETTINGS_YAML).unwrap();
        assert!(settings.problems().is_empty());
        assert_eq!(settings.stage_index("proposal"), Some(2));
        assert_eq!(settings.price_segment(Decimal::from(49)), Some("budget"));
        assert_eq!(settings.price_segment(Decimal::from(50)), Some("standard"));
        assert_eq!(settings.price_segment(Decimal::from(5000)), Some("premium"));
        assert_eq!(settings.analytics, Analytics::default());
        assert_eq!(settings.sla, default_sla());
        assert_eq!(settings.agenda, Agenda::default());
        assert_eq!(
            settings.consent.needs_grant.as_deref(),
            Some(&["email".to_string(), "sms".to_string()][..])
        );
        assert_eq!(settings.pipeline[3].idle_days, Some(7));
        let bare: Settings = serde_yaml::from_str("schema: 1").unwrap();
        assert_eq!(bare.analytics, Analytics::default());
        assert_eq!(bare.sla, default_sla());
        assert_eq!(bare.consent, ConsentSettings::default());
        assert!(bare.consent.needs_grant("email") && !bare.consent.needs_grant("letter"));
        let no_sla: Settings = serde_yaml::from_str("schema: 1\nsla: {}").unwrap();
        assert!(no_sla.sla.is_empty());
    }

    #[test]
    fn bad_sla_and_idle_days_are_problems() {
        let yaml = "schema: 1\npipeline:\n- stage: a\n  probability: 0.5\n  idle_days: 0\nsla:\n  low:\n    first_response_hours: 8\n    resolution_hours: 4\n";
        let settings: Settings = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(
            settings.problems(),
            [
                "sla: `low` needs first_response_hours above 0 and resolution_hours at least as long",
                "pipeline: idle_days of `a` must be more than 0",
            ]
        );
        let unknown =
            "schema: 1\nsla:\n  critical:\n    first_response_hours: 1\n    resolution_hours: 2\n";
        let error = serde_yaml::from_str::<Settings>(unknown)
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown variant `critical`"), "{error}");
    }

    #[test]
    fn bad_bands_are_problems() {
        let yaml = "schema: 1\npipeline:\n- stage: a\n  probability: 0.5\nanalytics:\n  age_bands:\n  - name: old\n  - name: young\n    below: 30\n";
        let settings: Settings = serde_yaml::from_str(yaml).unwrap();
        let problems = settings.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("analytics.age_bands: bands must be lowest first"));
    }
}
