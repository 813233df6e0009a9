//! Questionnaire answers: each row fills in its respondent's profile fields and
//! logs one `questionnaire` interaction, with a score where a column gives one.

use compact_str::CompactString;
use std::path::Path;

use super::Workspace;
use super::csv_rows::{FieldSpec, Row, Sheet};
use super::records::{
    CUSTOMER_FIELDS, Lists, at_line, customer_row, existing_customer, fill_interaction,
};
use super::staged::interaction_key;
use crate::error::Problem;
use crate::model::interaction::QUESTIONNAIRE;
use crate::model::values::format_timestamp;
use crate::model::{Interaction, Kind, Record, customer};

/// Customer fields, and what goes into the interaction.
pub const SURVEY_FIELDS: FieldSpec = FieldSpec {
    fields: &[ANSWER_FIELDS, customer::FIELDS],
    aliases: CUSTOMER_FIELDS.aliases,
    custom: true,
    lists: CUSTOMER_FIELDS.lists,
    // The body is made of the answers, one per line.
    verbatim: &[],
};

const ANSWER_FIELDS: &[&str] = &["customer", "at", "score", "summary", "body"];

/// Imports every answer row; returns the problems of the rows left out.
pub fn import_survey(ws: &mut Workspace, sheet: &Sheet, source: &Path) -> Vec<Problem> {
    let mut problems = sheet.problems.clone();
    ws.set_source(source);
    for row in &sheet.rows {
        if let Err(messages) = answer(ws, row) {
            problems.extend(at_line(source, row.line, messages));
        }
    }
    problems
}

fn answer(ws: &mut Workspace, row: &Row) -> Result<(), Vec<String>> {
    let at = ws
        .when(row.get("at").ok_or_else(|| {
            vec!["the answer has no date (map the survey's timestamp column to `at`)".to_string()]
        })?)
        .map_err(|e| vec![e])?;
    let answers = Row {
        line: row.line,
        values: row
            .values
            .iter()
            .filter(|(field, _)| ["score", "summary"].contains(&field.as_str()))
            .cloned()
            .collect(),
        others: Vec::new(),
    };
    // The interaction is checked before the profile changes, so a bad answer changes nothing.
    let mut interaction = Interaction::new(CompactString::default(), at, QUESTIONNAIRE);
    interaction.direction = Some(crate::model::interaction::Direction::Inbound);
    interaction.body = answer_text(row);
    let mut errors = fill_interaction(ws, &mut interaction, &answers);
    // Its id comes once the respondent is known.
    let problems = interaction.problems(ws.settings).into_iter();
    errors.extend(problems.filter(|p| p.field != "id").map(|p| p.message));
    let mut profile = Row {
        line: row.line,
        values: row
            .values
            .iter()
            .filter(|(field, _)| !ANSWER_FIELDS.contains(&field.as_str()))
            .cloned()
            .collect(),
        others: Vec::new(),
    };
    if let Some(reference) = row.get("customer") {
        match ws.find_customer(reference) {
            Some(index) => profile
                .values
                .push(("id".into(), ws.customers.get(index).id.to_string())),
            None if !ws.options.create_customers => errors.push(format!(
                "unknown customer `{reference}`: add it first, or use --create-customers"
            )),
            None => {}
        }
    }
    let respondent = existing_customer(ws, &profile);
    if respondent.is_none() && row.get("customer").is_none() && !ws.options.create_customers {
        errors.push(
            "no customer has this respondent's id or e-mail: add them first, or use --create-customers"
                .into(),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // A name made up from an e-mail is for a respondent the import creates: a
    // known customer keeps theirs.
    if respondent.is_none()
        && profile.get("name").is_none()
        && let Some(email) = profile.get("emails")
    {
        let name = email.split([';', ',']).next().unwrap_or(email).to_string();
        profile.values.push(("name".into(), name));
    }
    let customer = customer_row(ws, &profile, Lists::Add, at)?;
    interaction.customer = ws.customers.get(customer).id.as_str().into();
    let key = interaction_key(&interaction.customer, &format_timestamp(&at), QUESTIONNAIRE);
    let existing = ws.interactions.find_key(&key);
    interaction.id = match existing {
        Some(index) => ws.interactions.get(index).id.clone(),
        None => ws.new_time_id(Kind::Interaction, &at).into(),
    };
    ws.interactions.put(existing, interaction);
    Ok(())
}

/// The interaction's body: the mapped `body` column, then every answer no field
/// takes, as `Question: answer` lines.
fn answer_text(row: &Row) -> Option<String> {
    let mut lines: Vec<String> = row.get("body").map(String::from).into_iter().collect();
    lines.extend(row.others.iter().map(|(q, a)| format!("{q}: {a}")));
    (!lines.is_empty()).then(|| format!("{}\n", lines.join("\n")))
}
