//! `report consent`: per channel (and each other purpose an event names), how
//! many of the selected customers granted consent, withdrew it or never
//! answered, as it stands at the as-of moment, and how many of them that
//! leaves open to contact. The rules: docs/privacy.md.

use serde::Serialize;

use super::{Report, Scope, moment};
use crate::model::consent::{self, ConsentState, Standing};
use crate::model::interaction::Purpose;
use crate::model::values::Timestamp;
use crate::model::values::midnight_utc;
use crate::output::{Cell, Section, Table};

/// From midnight to the last whole second of a day: records carry whole seconds.
const LAST_SECOND: chrono::TimeDelta = chrono::TimeDelta::seconds(86_399);

/// One channel and purpose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelRow {
    pub channel: String,
    pub purpose: Purpose,
    pub granted: u64,
    pub withdrawn: u64,
    pub no_answer: u64,
    /// Whether no answer forbids the contact (`consent.needs_grant`).
    pub needs_grant: bool,
    /// The customers who may be contacted: granted, plus no answer where
    /// no grant is needed.
    pub may_contact: u64,
}

/// `report consent`: one row per channel and purpose.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ConsentReport {
    pub channels: Vec<ChannelRow>,
}

/// The consent of the selected customers as it stands at the last second of
/// the as-of day (or `now`, when that is earlier): an event at midnight
/// belongs to the day it starts.
pub fn consent(scope: &Scope, now: Timestamp) -> ConsentReport {
    let at = moment(scope.as_of, now).min(midnight_utc(scope.as_of) + LAST_SECOND);
    let settings = &scope.data.settings;
    let customers: Vec<_> = scope.customers().collect();
    let pairs = consent::pairs(settings, customers.iter().flat_map(|c| &c.consent));
    let channels = (pairs.into_iter())
        .map(|(channel, purpose)| {
            let mut row = ChannelRow {
                channel: channel.to_string(),
                purpose,
                granted: 0,
                withdrawn: 0,
                no_answer: 0,
                needs_grant: settings.consent.needs_grant(channel),
                may_contact: 0,
            };
            for customer in &customers {
                let standing =
                    consent::standing(&customer.consent, settings, channel, purpose, &at);
                match standing {
                    Standing::Answered(e) if e.state == ConsentState::Granted => row.granted += 1,
                    Standing::Answered(_) => row.withdrawn += 1,
                    Standing::NoAnswer { .. } => row.no_answer += 1,
                }
                row.may_contact += u64::from(standing.allows());
            }
            row
        })
        .collect();
    ConsentReport { channels }
}

impl Report for ConsentReport {
    fn title(&self) -> String {
        "Consent".into()
    }

    fn sections(&self) -> Vec<Section> {
        let mut table = Table::new(&[
            "channel",
            "purpose",
            "granted",
            "withdrawn",
            "no_answer",
            "needs_grant",
            "may_contact",
        ]);
        for row in &self.channels {
            table.push(vec![
                Cell::text(&row.channel),
                Cell::text(row.purpose.as_str()),
                Cell::Int(row.granted as i64),
                Cell::Int(row.withdrawn as i64),
                Cell::Int(row.no_answer as i64),
                Cell::text(if row.needs_grant { "yes" } else { "no" }),
                Cell::Int(row.may_contact as i64),
            ]);
        }
        vec![Section::new("channels", "Consent by channel", table)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::parse_timestamp;
    use crate::model::{Customer, Dataset, Settings};

    fn customer(id: &str, consent_yaml: &str) -> Customer {
        serde_yaml::from_str(&format!(
            "id: {id}\nname: {id}\nkind: person\n{consent_yaml}"
        ))
        .unwrap()
    }

    #[test]
    fn counts_each_customer_once_per_channel_by_the_event_in_force() {
        let settings: Settings =
            serde_yaml::from_str("schema: 1\nchannels: [email, letter]\n").unwrap();
        let mut data = Dataset::empty(settings);
        data.customers = vec![
            // Granted, then withdrew: counts as withdrawn only.
            customer(
                "ana",
                "consent:\n- {channel: email, state: granted, at: 2026-01-01T00:00:00Z}\n\
                     - {channel: email, state: withdrawn, at: 2026-10-01T00:00:00Z}\n",
            ),
            // Withdrawal after the as-of day: still granted then.
            customer(
                "bob",
                "consent:\n- {channel: email, state: granted, at: 2026-01-01T00:00:00Z}\n\
                     - {channel: email, state: withdrawn, at: 2026-12-01T00:00:00Z}\n\
                     - {channel: letter, purpose: sales, state: granted, at: 2026-01-01T00:00:00Z}\n",
            ),
            customer("cid", ""),
        ];
        let now = parse_timestamp("2026-12-02T10:00:00Z").unwrap();
        let as_of = "2026-11-20".parse().unwrap();
        let report = consent(&Scope::all(&data, as_of), now);
        let counts: Vec<(&str, &str, [u64; 4], bool)> = (report.channels.iter())
            .map(|r| {
                let counts = [r.granted, r.withdrawn, r.no_answer, r.may_contact];
                (
                    r.channel.as_str(),
                    r.purpose.as_str(),
                    counts,
                    r.needs_grant,
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                ("email", "marketing", [1, 1, 1, 1], true),
                ("letter", "marketing", [0, 0, 3, 3], false),
                ("letter", "sales", [1, 0, 2, 3], false),
            ]
        );
    }
}
