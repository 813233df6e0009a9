//! Customers files: a row creates a customer or updates the one it finds.

use crate::exchange::csv_rows::{CONSENT_PREFIX, FieldSpec, Row};
use crate::exchange::staged::{email_key, external_key};
use crate::exchange::{Workspace, add_to_list};
use crate::model::assign::{Assignment, Op};
use crate::model::consent::{self, ConsentEvent, ConsentState};
use crate::model::customer::{self, CustomerKind};
use crate::model::interaction::Purpose;
use crate::model::values::Timestamp;
use crate::model::{Customer, id};

pub const CUSTOMER_FIELDS: FieldSpec = FieldSpec {
    fields: &[customer::FIELDS],
    aliases: &[("email", "emails"), ("phone", "phones"), ("tag", "tags")],
    custom: true,
    lists: &["emails", "phones", "tags"],
    verbatim: &["notes"],
};

/// What the cells of a customer's list fields (`emails`, `phones`, `tags`) do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lists {
    /// A customers file: a non-empty cell replaces the list, so an edited
    /// export re-imports as it reads.
    Replace,
    /// A questionnaire: the answer's items are added, since a respondent gives
    /// one address, not all they have.
    Add,
}

/// The existing customer a row is about: by id, `external_id`, then e-mail.
pub fn existing_customer(ws: &Workspace, row: &Row) -> Option<usize> {
    if let Some(found) = row.get("id").and_then(|id| ws.customers.find_id(id)) {
        return Some(found);
    }
    if let Some(found) = row
        .get("external_id")
        .and_then(|e| ws.customers.find_key(&external_key(e)))
    {
        return Some(found);
    }
    row.get("emails")?
        .split([';', ','])
        .find_map(|email| ws.customers.find_key(&email_key(email)))
}

/// Creates or updates the customer of a row (customer files, surveys), its
/// list fields as `lists` says; a `consent.CHANNEL` cell is what they said
/// at `said_at` (see [`consent_cell`]). Returns its index.
pub fn customer_row(
    ws: &mut Workspace,
    row: &Row,
    lists: Lists,
    said_at: Timestamp,
) -> Result<usize, Vec<String>> {
    let existing = existing_customer(ws, row);
    let mut customer = match existing {
        Some(index) => ws.customers.get(index).clone(),
        None => new_customer(ws, row)?,
    };
    let mut errors = Vec::new();
    for (field, value) in &row.values {
        if field == "id" {
            continue;
        }
        if let Some(channel) = field.strip_prefix(CONSENT_PREFIX) {
            let source = ws.source.clone();
            errors.extend(consent_cell(&mut customer, channel, value, said_at, source).err());
            continue;
        }
        let result = match customer_value(ws, field, value) {
            Ok(value) if lists == Lists::Add && CUSTOMER_FIELDS.is_list(field) => {
                add_to_list(&mut customer, field, value.split(','))
            }
            Ok(value) => customer.assign(&Assignment {
                field: field.clone(),
                op: Op::Set,
                value,
            }),
            Err(message) => Err(message),
        };
        errors.extend(result.err());
    }
    errors.extend(ws.customer_problems(&customer, existing));
    if errors.is_empty() {
        Ok(ws.put_customer(existing, customer))
    } else {
        Err(errors)
    }
}

/// Adds to `customer`'s consent what a `consent.CHANNEL` cell says about
/// marketing on `channel`: yes (`yes`, `y`, `true`, `1`, `granted`,
/// `opt-in`) or no (`no`, `n`, `false`, `0`, `withdrawn`, `opt-out`). An
/// answer the event in force already gives adds nothing, so that importing a
/// file again changes nothing.
fn consent_cell(
    customer: &mut Customer,
    channel: &str,
    cell: &str,
    at: Timestamp,
    source: Option<String>,
) -> Result<(), String> {
    let state = match cell.to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "granted" | "opt-in" => ConsentState::Granted,
        "no" | "n" | "false" | "0" | "withdrawn" | "opt-out" => ConsentState::Withdrawn,
        _ => {
            return Err(format!(
                "consent.{channel}: `{cell}` is neither yes (granted) nor no (withdrawn)"
            ));
        }
    };
    let in_force = consent::in_force(&customer.consent, channel, Purpose::Marketing, &at);
    if in_force.is_none_or(|event| event.state != state) {
        customer.consent.push(ConsentEvent {
            channel: channel.to_string(),
            purpose: Purpose::Marketing,
            state,
            at,
            source,
        });
    }
    Ok(())
}

/// A new customer for a row: its id (given, or made from its name), kind and creation date.
fn new_customer(ws: &Workspace, row: &Row) -> Result<Customer, Vec<String>> {
    let name = row
        .get("name")
        .ok_or_else(|| vec!["a new customer needs a name (map a column to `name`)".to_string()])?;
    let default_kind = ws
        .options
        .defaults
        .iter()
        .find(|(field, _)| *field == "kind")
        .and_then(|(_, kind)| kind.parse().ok());
    let kind = default_kind.unwrap_or(if row.get("company").is_some() {
        CustomerKind::Person
    } else {
        CustomerKind::Organization
    });
    let mut customer = ws.new_customer(name, kind).map_err(|e| vec![e])?;
    if let Some(id) = row.get("id") {
        if let Some(reason) = id::invalid_reason(id) {
            return Err(vec![reason]);
        }
        customer.id = id.into();
    }
    Ok(customer)
}

/// A cell's value in the form `Customer::assign` takes.
fn customer_value(ws: &Workspace, field: &str, value: &str) -> Result<String, String> {
    Ok(match field {
        f if CUSTOMER_FIELDS.is_list(f) => value.replace(';', ","),
        "created" => ws.day(value)?.to_string(),
        "owner" => ws.owner_id(value)?,
        "kind" | "stage" => value.to_lowercase(),
        _ => value.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{import, import_clean, only, workspace};
    use crate::exchange::ImportKind::Customers;
    use crate::model::Customer;
    use crate::model::customer::CustomerKind;

    #[test]
    fn a_row_makes_a_customer_with_its_lists_split() {
        let mut ws = workspace(Vec::new());
        import_clean(
            &mut ws,
            Customers,
            "name,company,email,tag,created\nAna Lima,Acme,ana@x.example;ana@y.example,vip,2026-01-05\n",
        );
        let ana = only(ws.customers.all());
        assert_eq!(ana.id, "ana-lima");
        assert_eq!(ana.kind, CustomerKind::Person, "a company makes a person");
        assert_eq!(ana.emails, ["ana@x.example", "ana@y.example"]);
        assert_eq!(ana.tags, ["vip"]);
        assert_eq!(
            ana.created.map(|d| d.to_string()).as_deref(),
            Some("2026-01-05")
        );
    }

    #[test]
    fn a_row_finds_its_customer_by_e_mail_and_a_list_cell_replaces_the_list() {
        let mut ana = Customer::new("ana", "Ana".into(), CustomerKind::Person);
        ana.emails = vec!["ana@x.example".into()];
        ana.tags = vec!["old".into()];
        let mut ws = workspace(vec![ana]);
        import_clean(
            &mut ws,
            Customers,
            "email,tags,region\nANA@x.example,new;vip,EU\n",
        );
        let ana = only(ws.customers.all());
        assert_eq!(ana.tags, ["new", "vip"]);
        assert_eq!(ana.region.as_deref(), Some("EU"));
    }

    #[test]
    fn consent_columns_add_an_event_when_the_answer_changes() {
        let mut ws = workspace(Vec::new());
        let file = "name,email,consent.email,consent.letter\nAna,ana@x.example,yes,\n";
        import_clean(&mut ws, Customers, file);
        import_clean(&mut ws, Customers, file);
        let ana = only(ws.customers.all());
        let events: Vec<(&str, &str, Option<&str>)> = (ana.consent.iter())
            .map(|e| (e.channel.as_str(), e.state.as_str(), e.source.as_deref()))
            .collect();
        assert_eq!(
            events,
            [("email", "granted", Some("import:in.csv"))],
            "an empty cell says nothing; the same answer again adds nothing"
        );
        import_clean(
            &mut ws,
            Customers,
            "email,consent.email\nana@x.example,opt-out\n",
        );
        let ana = only(ws.customers.all());
        assert_eq!(ana.consent.len(), 2);
        assert_eq!(ana.consent[1].state.as_str(), "withdrawn");
        let problems = import(
            &mut ws,
            Customers,
            "email,consent.email\nana@x.example,maybe\n",
        );
        assert_eq!(
            problems,
            ["2: consent.email: `maybe` is neither yes (granted) nor no (withdrawn)"]
        );
        let problems = import(
            &mut ws,
            Customers,
            "email,consent.pigeon\nana@x.example,yes\n",
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("2: consent on unknown channel `pigeon`"),
            "{problems:?}"
        );
    }

    #[test]
    fn bad_rows_are_problems_at_their_lines() {
        let mut ws = workspace(Vec::new());
        let problems = import(
            &mut ws,
            Customers,
            "name,email,created,kind\n,a@x.example,,\nBea,b@x.example,someday,\nCy,c@x.example,,robot\n",
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(
            problems[0],
            "2: a new customer needs a name (map a column to `name`)"
        );
        assert!(problems[1].starts_with("3: ") && problems[1].contains("--date-format"));
        assert!(problems[2].starts_with("4: ") && problems[2].contains("robot"));
        assert!(ws.customers.all().is_empty());
    }

    #[test]
    fn an_e_mail_address_belongs_to_one_customer() {
        let mut ws = workspace(Vec::new());
        // The third row updates the second.
        import_clean(
            &mut ws,
            Customers,
            "name,email\nAna,ana@x.example\nAnna,bea@x.example\nBea,bea@x.example\n",
        );
        let names: Vec<&str> = ws.customers.all().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Ana", "Bea"]);
        let problems = import(&mut ws, Customers, "id,email\nana,bea@x.example\n");
        assert_eq!(
            problems,
            ["2: e-mail `bea@x.example` already belongs to customer `anna`"]
        );
    }
}
