//! Deals files: a row creates a deal or updates the one it finds, moving it
//! through the pipeline to the stage the row gives.

use super::{RowResult, customer_id, decimal, record_problems, row_customer};
use crate::exchange::Workspace;
use crate::exchange::csv_rows::{FieldSpec, Row};
use crate::exchange::staged::{deal_key, external_key};
use crate::model::deal::{Outcome, StageMove};
use crate::model::settings::{LOST, WON};
use crate::model::{Deal, Kind, id};

/// The columns of a deals file (without lines and history, which JSON
/// exports carry): those an export writes, and the fields an import maps by
/// default.
pub const COLUMNS: &[&str] = &[
    "id",
    "external_id",
    "customer",
    "title",
    "owner",
    "amount",
    "currency",
    "stage",
    "created",
    "expected_close",
    "closed",
    "lost_reason",
];

pub const DEAL_FIELDS: FieldSpec = FieldSpec {
    // A file from elsewhere may name the customer instead of giving its id.
    fields: &[COLUMNS, &["customer_name"]],
    aliases: &[],
    custom: false,
    lists: &[],
    verbatim: &[],
};

/// A stage as a file may write it (`Proposal`, `needs analysis`) in relate's form.
fn stage_name(ws: &Workspace, value: &str) -> String {
    let normal = value.trim().to_lowercase().replace([' ', '-'], "_");
    ws.settings
        .stage_names()
        .into_iter()
        .find(|s| *s == normal)
        .map_or(normal, String::from)
}

pub(super) fn deal_row(ws: &mut Workspace, row: &Row) -> RowResult {
    let customer = row_customer(ws, row).map_err(|e| vec![e])?;
    let customer_id = customer_id(ws, &customer);
    let existing = row
        .get("id")
        .and_then(|id| ws.deals.find_id(id))
        .or_else(|| {
            let external = row.get("external_id").map(external_key);
            let natural = row.get("title").map(|t| deal_key(&customer_id, t));
            [external, natural]
                .into_iter()
                .flatten()
                .find_map(|key| ws.deals.find_key(&key))
        });
    let mut errors = Vec::new();
    let day = |field: &str, errors: &mut Vec<String>| {
        row.get(field).and_then(|v| match ws.day(v) {
            Ok(day) => Some(day),
            Err(message) => {
                errors.push(format!("{field}: {message}"));
                None
            }
        })
    };
    let created = day("created", &mut errors);
    let expected_close = day("expected_close", &mut errors);
    let closed = day("closed", &mut errors);
    let stage = row.get("stage").map(|s| stage_name(ws, s));
    let mut deal = match existing {
        Some(index) => ws.deals.get(index).clone(),
        None => {
            let title = row
                .get("title")
                .ok_or_else(|| vec!["a new deal needs a `title`".to_string()])?;
            let id = match row.get("id") {
                Some(id) => id.to_string(),
                None => {
                    let base = deal_slug(&customer_id, title)
                        .ok_or_else(|| vec![format!("cannot make an id from `{title}`")])?;
                    id::unique_slug(&base, |c| ws.deals.has_id(c))
                }
            };
            let first_stage = ws.settings.pipeline.first().map(|s| s.stage.clone());
            let created = created.unwrap_or_else(|| ws.today());
            let start = stage
                .clone()
                .filter(|s| s != WON && s != LOST)
                .or(first_stage)
                .unwrap_or_default();
            Deal {
                id,
                external_id: None,
                customer: String::new(),
                title: title.to_string(),
                owner: None,
                amount: None,
                currency: Some(ws.settings.currency.clone()),
                stage: start.clone(),
                created,
                expected_close: None,
                lines: Vec::new(),
                history: vec![StageMove {
                    stage: start,
                    at: created,
                    by: None,
                }],
                outcome: None,
                closed: None,
                lost_reason: None,
                conflicts: Vec::new(),
            }
        }
    };
    deal.customer = customer_id;
    for (field, value) in &row.values {
        let text = Some(value.clone());
        match field.as_str() {
            "external_id" => deal.external_id = text,
            "title" => deal.title = value.clone(),
            "currency" => deal.currency = text,
            "lost_reason" => deal.lost_reason = text,
            "owner" => match ws.owner_id(value) {
                Ok(owner) => deal.owner = Some(owner),
                Err(message) => errors.push(message),
            },
            "amount" => deal.amount = decimal(value, "amount", &mut errors).or(deal.amount),
            _ => {}
        }
    }
    deal.created = created.unwrap_or(deal.created);
    deal.expected_close = expected_close.or(deal.expected_close);
    if let Some(stage) = stage.filter(|s| *s != deal.stage) {
        let date = closed.or(expected_close).unwrap_or_else(|| ws.today());
        let date = date.max(deal.history.last().map_or(deal.created, |m| m.at));
        let moved = match stage.as_str() {
            WON => deal.close(Outcome::Won, date, None, None),
            LOST => deal.close(Outcome::Lost, date, None, deal.lost_reason.clone()),
            _ => deal.advance(ws.settings, Some(&stage), date, None),
        };
        if let Err(refused) = moved {
            errors.push(refused.to_string());
        }
    }
    if deal.outcome.is_some() {
        deal.closed = closed.or(deal.closed);
    }
    errors.extend(record_problems(ws, &deal));
    if !errors.is_empty() {
        return Err(errors);
    }
    ws.settle_customer(customer);
    if existing.is_none()
        && row.get("id").is_none()
        && let Some(taken) = deal_slug(&deal.customer, &deal.title)
    {
        ws.note_id(Kind::Deal, &deal.title, &taken, &deal.id);
    }
    ws.deals.put(existing, deal);
    Ok(())
}

/// The id a new deal's customer and title make.
fn deal_slug(customer: &str, title: &str) -> Option<String> {
    id::slugify(&format!("{customer} {title}"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{import, import_clean, only, workspace};
    use crate::exchange::ImportKind::Deals;
    use crate::model::Customer;
    use crate::model::customer::CustomerKind;

    fn acme() -> Vec<Customer> {
        vec![Customer::new(
            "acme",
            "Acme".into(),
            CustomerKind::Organization,
        )]
    }

    #[test]
    fn a_row_makes_a_deal_in_the_stage_it_gives_as_a_file_writes_it() {
        let mut ws = workspace(acme());
        import_clean(
            &mut ws,
            Deals,
            "customer,title,amount,stage,created\nacme,Printer fleet,4200,Needs Analysis,2026-10-01\n",
        );
        let fleet = only(ws.deals.all());
        assert_eq!(fleet.id, "acme-printer-fleet");
        assert_eq!(fleet.stage, "needs_analysis");
        assert_eq!(fleet.amount.map(|a| a.to_string()).as_deref(), Some("4200"));
        assert_eq!(fleet.currency.as_deref(), Some("EUR"));
        let stages: Vec<&str> = fleet.history.iter().map(|m| m.stage.as_str()).collect();
        assert_eq!(
            stages,
            ["needs_analysis"],
            "a new deal starts where the row says"
        );
    }

    #[test]
    fn a_title_given_twice_is_one_deal_moved_on() {
        let mut ws = workspace(acme());
        import_clean(
            &mut ws,
            Deals,
            "customer,title,stage,created,closed\nacme,Fleet,proposal,2026-10-01,\nacme,Fleet,won,,2026-11-10\n",
        );
        let fleet = only(ws.deals.all());
        assert_eq!(fleet.stage, "won");
        assert_eq!(
            fleet.closed.map(|d| d.to_string()).as_deref(),
            Some("2026-11-10")
        );
    }

    #[test]
    fn bad_rows_are_problems_at_their_lines() {
        let mut ws = workspace(acme());
        let problems = import(
            &mut ws,
            Deals,
            "customer,title,amount,created\nacme,,,\nacme,Fleet,-5,\nacme,Toner,,soon\n,Paper,,\n",
        );
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert_eq!(problems[0], "2: a new deal needs a `title`");
        assert_eq!(problems[1], "3: amount `-5` must not be negative");
        assert!(problems[2].starts_with("4: created: "), "{problems:?}");
        assert_eq!(problems[3], "5: the row names no `customer`");
        assert!(ws.deals.all().is_empty());
    }
}
