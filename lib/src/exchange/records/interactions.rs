//! Interactions files: a row logs an interaction or updates the one it finds.

use super::{RowResult, customer_id, record_problems, row_customer};
use crate::exchange::Workspace;
use crate::exchange::csv_rows::{FieldSpec, Row};
use crate::exchange::staged::{external_key, interaction_key, message_key};
use crate::model::interaction::{self, Direction, Purpose};
use crate::model::values::format_timestamp;
use crate::model::{Interaction, Kind};
use compact_str::CompactString;

pub const INTERACTION_FIELDS: FieldSpec = FieldSpec {
    // A file from elsewhere may name the customer instead of giving its id.
    fields: &[interaction::FIELDS, &["customer_name"]],
    aliases: &[],
    custom: false,
    lists: &[],
    verbatim: &["body"],
};

pub(super) fn interaction_row(ws: &mut Workspace, row: &Row) -> RowResult {
    let customer = row_customer(ws, row).map_err(|e| vec![e])?;
    let customer_id = customer_id(ws, &customer);
    let at = ws
        .when(
            row.get("at")
                .ok_or_else(|| vec!["the row has no date (`at`)".to_string()])?,
        )
        .map_err(|e| vec![e])?;
    let channel = row.get("channel");
    let external_id = row.get("external_id");
    let message_id = row.get("message_id").map(bare_message_id);
    // What the row says, applied to the interaction it finds or to a new one.
    let fill = |ws: &Workspace, interaction: &mut Interaction| {
        interaction.customer = customer_id.as_str().into();
        interaction.at = at;
        fill_interaction(ws, interaction, row)
    };
    let existing = row
        .get("id")
        .and_then(|id| ws.interactions.find_id(id))
        .or_else(|| {
            [external_id.map(external_key), message_id.map(message_key)]
                .into_iter()
                .flatten()
                .find_map(|key| ws.interactions.find_key(&key))
        })
        .or_else(|| {
            let key = interaction_key(&customer_id, &format_timestamp(&at), channel?);
            // One from another source id or message is another interaction.
            let may_be = |other: &Interaction| {
                (external_id.is_none() || other.external_id.is_none())
                    && (message_id.is_none() || other.message_id.is_none())
            };
            let leaves_as_is = |other: &Interaction| {
                let mut filled = other.clone();
                fill(ws, &mut filled).is_empty() && filled == *other
            };
            ws.interactions.find_unwritten(&key, may_be, leaves_as_is)
        });
    let mut interaction = match existing {
        Some(index) => ws.interactions.get(index).clone(),
        None => {
            let id: CompactString = match row.get("id") {
                Some(id) => id.into(),
                None => ws.new_time_id(Kind::Interaction, &at).into(),
            };
            let channel =
                channel.ok_or_else(|| vec!["a new interaction needs a `channel`".to_string()])?;
            Interaction {
                id,
                ..Interaction::new(CompactString::default(), at, channel)
            }
        }
    };
    let errors: Vec<String> = fill(ws, &mut interaction)
        .into_iter()
        .chain(record_problems(ws, &interaction))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    ws.settle_customer(customer);
    ws.interactions.put(existing, interaction);
    Ok(())
}

/// A Message-ID without its angle brackets.
pub fn bare_message_id(text: &str) -> &str {
    text.trim().trim_start_matches('<').trim_end_matches('>')
}

/// Sets an interaction's optional fields from a row; returns the problems.
pub fn fill_interaction(ws: &Workspace, interaction: &mut Interaction, row: &Row) -> Vec<String> {
    let mut errors = Vec::new();
    for (field, value) in &row.values {
        let text = Some(value.clone());
        let result: Result<(), String> = (|| {
            match field.as_str() {
                "external_id" => interaction.external_id = Some(value.into()),
                "channel" => interaction.channel = value.into(),
                "direction" => {
                    interaction.direction = Some(value.to_lowercase().parse::<Direction>()?)
                }
                "purpose" => interaction.purpose = Some(value.to_lowercase().parse::<Purpose>()?),
                "owner" => interaction.owner = Some(ws.owner_id(value)?.into()),
                "summary" => interaction.summary = text,
                "body" => interaction.body = text,
                "deal" if !ws.deals.has_id(value) => return Err(format!("unknown deal `{value}`")),
                "deal" => interaction.deal = Some(value.into()),
                "ticket" => interaction.ticket = Some(value.into()),
                "campaign" => interaction.campaign = Some(value.into()),
                "follow_up" => interaction.follow_up = Some(ws.day(value)?),
                "score" => {
                    let score: u8 = value.parse().ok().filter(|s| *s <= 10).ok_or_else(|| {
                        format!("score `{value}` is not a whole number from 0 to 10")
                    })?;
                    interaction.score = Some(score);
                }
                "message_id" => interaction.message_id = Some(bare_message_id(value).into()),
                _ => {}
            }
            Ok(())
        })();
        if let Err(message) = result {
            errors.push(message);
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::super::testing::{import, import_clean, only, workspace};
    use crate::exchange::ImportKind::Interactions;
    use crate::model::Customer;
    use crate::model::customer::CustomerKind;
    use crate::model::interaction::Direction;

    fn ana() -> Vec<Customer> {
        let mut ana = Customer::new("ana", "Ana Lima".into(), CustomerKind::Person);
        ana.emails = vec!["ana@x.example".into()];
        vec![ana]
    }

    #[test]
    fn a_row_logs_an_interaction_with_its_customer_found_by_e_mail() {
        let mut ws = workspace(ana());
        import_clean(
            &mut ws,
            Interactions,
            "customer,at,channel,direction,score,message_id,summary\n\
             ana@x.example,2026-11-02 09:30,email,Inbound,9,<m1@x.example>,Asked for a quote\n",
        );
        let mail = only(ws.interactions.all());
        assert_eq!(mail.customer, "ana");
        assert_eq!(mail.direction, Some(Direction::Inbound));
        assert_eq!(mail.score, Some(9));
        assert_eq!(mail.message_id.as_deref(), Some("m1@x.example"));
        assert_eq!(mail.summary.as_deref(), Some("Asked for a quote"));
    }

    #[test]
    fn a_message_given_twice_is_one_interaction() {
        let mut ws = workspace(ana());
        import_clean(
            &mut ws,
            Interactions,
            "customer,at,channel,message_id,summary\n\
             ana,2026-11-02 09:30,email,<m1@x.example>,First\n\
             ana,2026-11-02 09:30,email,m1@x.example,Second\n",
        );
        let mail = only(ws.interactions.all());
        assert_eq!(mail.summary.as_deref(), Some("Second"));
    }

    #[test]
    fn bad_rows_are_problems_at_their_lines() {
        let mut ws = workspace(ana());
        let problems = import(
            &mut ws,
            Interactions,
            "customer,at,channel,score,deal\n\
             ana,2026-11-02,phone,11,\n\
             ana,,phone,,\n\
             ana,2026-11-02,,,\n\
             bob,2026-11-02,phone,,\n\
             ana,2026-11-03,phone,,d-1\n",
        );
        assert_eq!(
            problems,
            [
                "2: score `11` is not a whole number from 0 to 10",
                "3: the row has no date (`at`)",
                "4: a new interaction needs a `channel`",
                "5: unknown customer `bob`: add it first, or use --create-customers",
                "6: unknown deal `d-1`",
            ]
        );
        assert!(ws.interactions.all().is_empty());
    }
}
