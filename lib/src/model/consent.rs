//! Consent: what a customer said about being contacted, per channel and
//! purpose, as an append-only list of events on the customer (`consent:`).
//!
//! The latest event of a channel and purpose is in force (of two at the same
//! moment, the later in the file). Where the customer never answered, the
//! settings say whether the channel needs a grant (`consent.needs_grant`:
//! e-mail and SMS marketing by default, as under GDPR and ePrivacy).

use serde::{Deserialize, Serialize};

use super::FieldProblem;
use super::interaction::Purpose;
use super::settings::Settings;
use super::values::{Timestamp, opt_timestamp, timestamp, utc_date};

keyword_enum! {
    /// What the customer said.
    ConsentState "consent state" {
        Granted => "granted",
        Withdrawn => "withdrawn",
    }
}

/// One thing a customer said about being contacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentEvent {
    /// One of the settings' `channels`.
    pub channel: String,
    #[serde(default = "marketing")]
    pub purpose: Purpose,
    pub state: ConsentState,
    #[serde(with = "timestamp")]
    pub at: Timestamp,
    /// How it was said: `form`, `email`, `phone`, `import:FILE`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

fn marketing() -> Purpose {
    Purpose::Marketing
}

/// Where a customer stands on one channel and purpose at some moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Standing<'a> {
    /// The event in force.
    Answered(&'a ConsentEvent),
    /// No event yet; `needs_grant` says whether that forbids the contact.
    NoAnswer { needs_grant: bool },
}

impl Standing<'_> {
    /// Whether the customer may be contacted.
    pub fn allows(&self) -> bool {
        match self {
            Standing::Answered(event) => event.state == ConsentState::Granted,
            Standing::NoAnswer { needs_grant } => !needs_grant,
        }
    }

    /// The state as a word: `granted`, `withdrawn` or `no answer`.
    pub fn state(&self) -> &'static str {
        match self {
            Standing::Answered(event) => event.state.as_str(),
            Standing::NoAnswer { .. } => "no answer",
        }
    }

    /// Why a contact on `channel` is not allowed (`withdrawn 2026-10-01`, `no
    /// answer (email needs a grant)`), or `None` when it is.
    pub fn forbids(&self, channel: &str) -> Option<String> {
        match self {
            _ if self.allows() => None,
            Standing::Answered(event) => Some(format!("withdrawn {}", utc_date(&event.at))),
            Standing::NoAnswer { .. } => Some(format!("no answer ({channel} needs a grant)")),
        }
    }
}

/// The event in force for `channel` and `purpose` at `at`: the latest one
/// not after `at`, the later in the list of two at the same moment.
pub fn in_force<'a>(
    events: &'a [ConsentEvent],
    channel: &str,
    purpose: Purpose,
    at: &Timestamp,
) -> Option<&'a ConsentEvent> {
    events
        .iter()
        .filter(|e| e.channel == channel && e.purpose == purpose && e.at <= *at)
        // `max_by_key` keeps the last of equal keys: file order breaks ties.
        .max_by_key(|e| e.at)
}

/// Where the customer with `events` stands on `channel` and `purpose` at `at`.
pub fn standing<'a>(
    events: &'a [ConsentEvent],
    settings: &Settings,
    channel: &str,
    purpose: Purpose,
    at: &Timestamp,
) -> Standing<'a> {
    match in_force(events, channel, purpose, at) {
        Some(event) => Standing::Answered(event),
        None => Standing::NoAnswer {
            needs_grant: settings.consent.needs_grant(channel),
        },
    }
}

/// The channels of the settings on which consent forbids marketing to the
/// customer with `events` at `at`, each with the reason.
pub fn marketing_forbidden<'a>(
    events: &[ConsentEvent],
    settings: &'a Settings,
    at: &Timestamp,
) -> Vec<(&'a str, String)> {
    (settings.channels.iter())
        .filter_map(|channel| {
            let standing = standing(events, settings, channel, Purpose::Marketing, at);
            Some((channel.as_str(), standing.forbids(channel)?))
        })
        .collect()
}

/// The (channel, purpose) pairs to show for a store: marketing on every
/// channel of the settings, then each other pair an event names, in order.
pub fn pairs<'a>(
    settings: &'a Settings,
    events: impl IntoIterator<Item = &'a ConsentEvent>,
) -> Vec<(&'a str, Purpose)> {
    let mut pairs: Vec<(&str, Purpose)> = (settings.channels.iter())
        .map(|channel| (channel.as_str(), Purpose::Marketing))
        .collect();
    for event in events {
        let pair = (event.channel.as_str(), event.purpose);
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    pairs
}

/// One line of a customer's consent as `relate consent ID` shows it: an
/// event, or a channel without one; `in_force` marks what counts now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentLine<'a> {
    pub channel: &'a str,
    pub purpose: Purpose,
    /// `granted`, `withdrawn` or `no answer`.
    pub state: &'static str,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'a str>,
    pub in_force: bool,
    /// Whether the customer may be contacted, on the line in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub may_contact: Option<bool>,
}

/// Every event of `events`, grouped by [`pairs`] and oldest first, and a
/// `no answer` line for each pair without one, as they stand at `at`.
pub fn lines<'a>(
    events: &'a [ConsentEvent],
    settings: &'a Settings,
    at: &Timestamp,
) -> Vec<ConsentLine<'a>> {
    let mut lines = Vec::new();
    for (channel, purpose) in pairs(settings, events) {
        let standing = standing(events, settings, channel, purpose, at);
        let mut of_pair: Vec<&ConsentEvent> = (events.iter())
            .filter(|e| e.channel == channel && e.purpose == purpose)
            .collect();
        // Stable: events at the same moment keep their file order.
        of_pair.sort_by_key(|e| e.at);
        for event in of_pair {
            let in_force = matches!(standing, Standing::Answered(e) if std::ptr::eq(e, event));
            lines.push(ConsentLine {
                channel,
                purpose,
                state: event.state.as_str(),
                at: Some(event.at),
                source: event.source.as_deref(),
                in_force,
                may_contact: in_force.then(|| standing.allows()),
            });
        }
        if let Standing::NoAnswer { .. } = standing {
            lines.push(ConsentLine {
                channel,
                purpose,
                state: standing.state(),
                at: None,
                source: None,
                in_force: true,
                may_contact: Some(standing.allows()),
            });
        }
    }
    lines
}

/// Problems of a customer's consent events alone.
pub fn problems(events: &[ConsentEvent], settings: &Settings) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    for event in events {
        if !settings.is_known_channel(&event.channel) {
            problems.push(FieldProblem::new(
                "consent",
                format!(
                    "consent on unknown channel `{}`: use one of {}",
                    event.channel,
                    settings.channels.join(", ")
                ),
            ));
        }
        if event.source.as_deref().is_some_and(|s| s.trim().is_empty()) {
            problems.push(FieldProblem::new(
                "consent",
                "a consent event's `source` must not be empty",
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::parse_timestamp;

    fn event(channel: &str, state: ConsentState, at: &str) -> ConsentEvent {
        ConsentEvent {
            channel: channel.into(),
            purpose: Purpose::Marketing,
            state,
            at: parse_timestamp(at).unwrap(),
            source: None,
        }
    }

    fn settings() -> Settings {
        serde_yaml::from_str(crate::model::settings::DEFAULT_SETTINGS_YAML).unwrap()
    }

    fn at(text: &str) -> Timestamp {
        parse_timestamp(text).unwrap()
    }

    #[test]
    fn the_latest_event_is_in_force_and_file_order_breaks_ties() {
        use ConsentState::*;
        let events = vec![
            event("email", Withdrawn, "2026-10-01"),
            event("email", Granted, "2026-03-01"),
            event("sms", Granted, "2026-05-01"),
            event("sms", Withdrawn, "2026-05-01"),
        ];
        let now = at("2026-11-22T10:00:00Z");
        let email = in_force(&events, "email", Purpose::Marketing, &now).unwrap();
        assert_eq!(
            email.state, Withdrawn,
            "the later date wins, not the later line"
        );
        let sms = in_force(&events, "sms", Purpose::Marketing, &now).unwrap();
        assert_eq!(sms.state, Withdrawn, "same moment: the later line wins");
        assert_eq!(in_force(&events, "email", Purpose::Sales, &now), None);
        let before = at("2026-09-30T00:00:00Z");
        let then = in_force(&events, "email", Purpose::Marketing, &before).unwrap();
        assert_eq!(
            then.state, Granted,
            "an event after the moment does not count"
        );
    }

    #[test]
    fn no_answer_needs_a_grant_on_email_and_sms_only_by_default() {
        let settings = settings();
        let now = at("2026-11-22T10:00:00Z");
        let standing = |channel: &str| standing(&[], &settings, channel, Purpose::Marketing, &now);
        assert_eq!(
            standing("email").forbids("email").as_deref(),
            Some("no answer (email needs a grant)")
        );
        assert!(!standing("sms").allows());
        assert!(standing("letter").allows());
        assert!(standing("phone").allows());
        let withdrawn = [event("letter", ConsentState::Withdrawn, "2026-10-01")];
        let letter = super::standing(&withdrawn, &settings, "letter", Purpose::Marketing, &now);
        assert_eq!(
            letter.forbids("letter").as_deref(),
            Some("withdrawn 2026-10-01")
        );
        assert_eq!(letter.state(), "withdrawn");
        let granted = [event("email", ConsentState::Granted, "2026-10-01")];
        let email = super::standing(&granted, &settings, "email", Purpose::Marketing, &now);
        assert!(email.allows());
        let open: Settings =
            serde_yaml::from_str("schema: 1\nconsent:\n  needs_grant: []\n").unwrap();
        assert!(super::standing(&[], &open, "email", Purpose::Marketing, &now).allows());
    }

    #[test]
    fn events_read_in_a_stable_key_order_and_unknown_states_are_refused() {
        let yaml = "channel: email\nstate: granted\nat: 2026-10-01T00:00:00Z\nsource: form\n";
        let event: ConsentEvent = serde_yaml::from_str(yaml).unwrap();
        assert_eq!(
            event.purpose,
            Purpose::Marketing,
            "purpose defaults to marketing"
        );
        assert_eq!(
            serde_yaml::to_string(&event).unwrap(),
            "channel: email\npurpose: marketing\nstate: granted\nat: 2026-10-01T00:00:00Z\nsource: form\n"
        );
        let error = serde_yaml::from_str::<ConsentEvent>(&yaml.replace("granted", "maybe"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown variant `maybe`"), "{error}");
    }

    #[test]
    fn problems_name_unknown_channels_and_blank_sources() {
        let mut pigeon = event("pigeon", ConsentState::Granted, "2026-10-01");
        pigeon.source = Some(" ".into());
        let messages: Vec<String> = problems(&[pigeon], &settings())
            .into_iter()
            .map(|p| p.message)
            .collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("consent on unknown channel `pigeon`"));
        assert_eq!(messages[1], "a consent event's `source` must not be empty");
    }

    #[test]
    fn lines_show_every_event_and_mark_what_is_in_force() {
        let settings: Settings =
            serde_yaml::from_str("schema: 1\nchannels: [email, letter]\n").unwrap();
        let events = vec![
            event("email", ConsentState::Withdrawn, "2026-10-01"),
            event("email", ConsentState::Granted, "2026-03-01"),
            event("email", ConsentState::Granted, "2026-12-01"),
        ];
        let now = at("2026-11-22T10:00:00Z");
        let shown: Vec<(&str, &str, bool, Option<bool>)> = lines(&events, &settings, &now)
            .iter()
            .map(|l| (l.channel, l.state, l.in_force, l.may_contact))
            .collect();
        assert_eq!(
            shown,
            [
                ("email", "granted", false, None),
                ("email", "withdrawn", true, Some(false)),
                ("email", "granted", false, None),
                ("letter", "no answer", true, Some(true)),
            ]
        );
    }

    #[test]
    fn marketing_is_forbidden_where_withdrawn_or_unanswered_on_a_channel_needing_a_grant() {
        let settings: Settings =
            serde_yaml::from_str("schema: 1\nchannels: [email, sms, letter, phone]\n").unwrap();
        let events = [
            event("email", ConsentState::Granted, "2026-03-01"),
            event("letter", ConsentState::Withdrawn, "2026-10-01"),
        ];
        let now = at("2026-11-22T10:00:00Z");
        assert_eq!(
            marketing_forbidden(&events, &settings, &now),
            [
                ("sms", "no answer (sms needs a grant)".to_string()),
                ("letter", "withdrawn 2026-10-01".to_string()),
            ]
        );
    }

    #[test]
    fn pairs_are_marketing_on_every_channel_then_other_purposes_named() {
        let settings: Settings =
            serde_yaml::from_str("schema: 1\nchannels: [email, phone]\n").unwrap();
        let mut sales = event("phone", ConsentState::Granted, "2026-10-01");
        sales.purpose = Purpose::Sales;
        let email = event("email", ConsentState::Granted, "2026-10-01");
        assert_eq!(
            pairs(&settings, [&email, &sales]),
            [
                ("email", Purpose::Marketing),
                ("phone", Purpose::Marketing),
                ("phone", Purpose::Sales)
            ]
        );
    }
}
