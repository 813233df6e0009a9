//! The team in relate.yaml's `owners`: add, remove.
//!
//! relate.yaml is a file people edit, with comments: only the `owners:` block
//! is rewritten, every other line is kept as it was.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::settings::Owner;
use crate::model::{Dataset, Kind, closest, id};
use crate::store::{SETTINGS_FILE, Store};

/// The records that name each owner (`owner:` fields), in kind and id order.
pub fn named_owners(data: &Dataset) -> BTreeMap<String, Vec<(Kind, String)>> {
    let mut named: BTreeMap<String, Vec<(Kind, String)>> = BTreeMap::new();
    let mut note = |kind: Kind, id: &str, owner: Option<&str>| {
        if let Some(owner) = owner {
            named
                .entry(owner.to_string())
                .or_default()
                .push((kind, id.to_string()));
        }
    };
    for c in &data.customers {
        note(Kind::Customer, &c.id, c.owner.as_deref());
    }
    for i in &data.interactions {
        note(Kind::Interaction, &i.id, i.owner.as_deref());
    }
    for d in &data.deals {
        note(Kind::Deal, &d.id, d.owner.as_deref());
    }
    for t in &data.tickets {
        note(Kind::Ticket, &t.id, t.owner.as_deref());
    }
    for c in &data.campaigns {
        note(Kind::Campaign, &c.id, c.owner.as_deref());
    }
    named
}

const OWNER_KINDS: [Kind; 5] = [
    Kind::Customer,
    Kind::Interaction,
    Kind::Deal,
    Kind::Ticket,
    Kind::Campaign,
];

/// The owner a store without a team could start with: who is acting (the
/// git identity or `RELATE_AUTHOR`), with their first name as the id.
pub fn offered(store: &Store) -> Option<Owner> {
    if !store.settings().owners.is_empty() {
        return None;
    }
    let author = store.author()?;
    let first = author.name.split_whitespace().next()?;
    Some(Owner {
        id: id::slugify(first)?,
        name: author.name,
        email: Some(author.email),
    })
}

/// What `owner add` wrote: the owner, and those added because records named them.
pub struct Added {
    pub owners: Vec<Owner>,
}

/// Adds an owner. The first one makes the list binding (records may then name
/// only listed owners), so it is refused while records name owners missing
/// from the new list, unless `add_missing` adds them too (named after their id).
pub fn add(store: &Store, owner: Owner, add_missing: bool) -> Result<Added> {
    if let Some(reason) = id::invalid_reason(&owner.id) {
        return Err(Error::usage(reason));
    }
    let settings = store.settings();
    if settings.is_known_owner(&owner.id) {
        return Err(Error::Exists {
            kind: "owner",
            id: owner.id,
        });
    }
    let mut owners = settings.owners.clone();
    let mut added = vec![owner.clone()];
    owners.push(owner);
    if settings.owners.is_empty() {
        let data = store.dataset_of(&OWNER_KINDS)?;
        let missing: Vec<(String, Vec<(Kind, String)>)> = named_owners(&data)
            .into_iter()
            .filter(|(name, _)| !owners.iter().any(|o| &o.id == name))
            .collect();
        if !missing.is_empty() && !add_missing {
            let names: Vec<String> = missing
                .iter()
                .map(|(name, records)| format!("`{name}` ({})", some_records(records)))
                .collect();
            return Err(Error::failed(format!(
                "records name owners that the new list would not have: {}",
                names.join(", ")
            ))
            .with_hint("add them first, or give --add-missing to add them named after their id"));
        }
        for (name, _) in missing {
            let extra = Owner {
                id: name.clone(),
                name,
                email: None,
            };
            owners.push(extra.clone());
            added.push(extra);
        }
    }
    write_owners(store, &owners, &format!("owner add: {}", added[0].id))?;
    Ok(Added { owners: added })
}

/// Removes an owner that no record names.
pub fn remove(store: &Store, owner: &str) -> Result<()> {
    let settings = store.settings();
    if !settings.is_known_owner(owner) {
        let error = Error::not_found(format!("no owner `{owner}` in relate.yaml"));
        return Err(
            match closest(settings.owners.iter().map(|o| o.id.as_str()), owner) {
                Some(near) => error.with_hint(format!("did you mean `{near}`?")),
                None => error.with_hint("`relate owner list` lists the team"),
            },
        );
    }
    let data = store.dataset_of(&OWNER_KINDS)?;
    if let Some(records) = named_owners(&data).get(owner) {
        return Err(Error::failed(format!(
            "owner `{owner}` is named by {}",
            some_records(records)
        ))
        .with_hint("give those records another owner first (`relate customer set ID owner=...`)"));
    }
    let owners: Vec<Owner> = (settings.owners.iter())
        .filter(|o| o.id != owner)
        .cloned()
        .collect();
    write_owners(store, &owners, &format!("owner remove: {owner}"))
}

/// `3 records: customer acme, deal x, ...`, at most five named.
fn some_records(records: &[(Kind, String)]) -> String {
    let shown: Vec<String> = (records.iter().take(5))
        .map(|(kind, id)| format!("{kind} {id}"))
        .collect();
    let more = records.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    let noun = if records.len() == 1 {
        "record"
    } else {
        "records"
    };
    format!("{} {noun}: {}{tail}", records.len(), shown.join(", "))
}

fn write_owners(store: &Store, owners: &[Owner], message: &str) -> Result<()> {
    let path = store.root().join(SETTINGS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let mut tx = store.begin()?;
    tx.put_settings(&with_owners(&text, owners)?)?;
    tx.commit(message)
}

/// `text` (relate.yaml) with its top-level `owners:` block replaced by
/// `owners`, every other line kept; the block is added at the end when missing.
fn with_owners(text: &str, owners: &[Owner]) -> Result<String> {
    let block = if owners.is_empty() {
        "owners: []\n".to_string()
    } else {
        let list = serde_yaml::to_string(owners)
            .map_err(|e| Error::failed(format!("cannot write the owners: {e}")))?;
        format!("owners:\n{list}")
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(start) = lines.iter().position(|line| line.starts_with("owners:")) else {
        let newline = if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        return Ok(format!("{text}{newline}{block}"));
    };
    // The block: the key's line and the indented or `- ` lines after it.
    let end = (start + 1..lines.len())
        .find(|&i| {
            !(lines[i].starts_with(' ') || lines[i].starts_with('-') || lines[i].starts_with('\t'))
        })
        .unwrap_or(lines.len());
    Ok(format!(
        "{}{block}{}",
        lines[..start].concat(),
        lines[end..].concat()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::settings::DEFAULT_SETTINGS_YAML;

    fn owner(id: &str, email: Option<&str>) -> Owner {
        Owner {
            id: id.into(),
            name: id.to_uppercase(),
            email: email.map(String::from),
        }
    }

    #[test]
    fn only_the_owners_block_is_rewritten() {
        let text = "currency: EUR\n# The team.\nowners: []\n# - id: alice\n\nsegments: {}\n";
        let two = with_owners(
            text,
            &[owner("alice", Some("a@x.example")), owner("bob", None)],
        )
        .unwrap();
        assert_eq!(
            two,
            "currency: EUR\n# The team.\nowners:\n- id: alice\n  name: ALICE\n  email: a@x.example\n- id: bob\n  name: BOB\n# - id: alice\n\nsegments: {}\n"
        );
        // And back: the list's lines go, the comments stay.
        assert_eq!(with_owners(&two, &[]).unwrap(), text);
        // Without the key, it is added at the end.
        assert_eq!(
            with_owners("currency: EUR", &[owner("bob", None)]).unwrap(),
            "currency: EUR\nowners:\n- id: bob\n  name: BOB\n"
        );
        // The default settings parse with the block replaced.
        let replaced = with_owners(DEFAULT_SETTINGS_YAML, &[owner("alice", None)]).unwrap();
        let settings = crate::store::parse_settings(&replaced).unwrap();
        assert_eq!(settings.owners, [owner("alice", None)]);
    }
}
