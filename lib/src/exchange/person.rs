//! `relate customer export-person`: everything the store holds on one
//! person (or organization), for a request of access: their customer file
//! whole (with its consent events), each of their interactions, deals,
//! orders, tickets and assets, the campaigns that list them, who changed
//! which field of these records and when, and the customers linked by
//! `company:` (an organization's contact persons, a person's organization).
//! Nothing of anyone else: a record is taken when it belongs to the customer.

use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::customer::CustomerKind;
use crate::model::values::{Timestamp, format_timestamp, opt_timestamp};
use crate::model::{
    Asset, Campaign, Customer, Dataset, Deal, Interaction, Order, Record, Ticket, id,
};
use crate::output::{Cell, Format, Section, Style, Table, write_json, write_sections};
use crate::store::history::{Revision, history};
use crate::store::{Store, record_path};

/// Everything on one customer, as `person.json` holds it.
#[derive(Debug, Serialize)]
pub struct Person {
    pub customer: Customer,
    /// An organization's contact persons, or a person's organization: who
    /// they are, not what is held on them.
    pub linked: Vec<Linked>,
    pub interactions: Vec<Interaction>,
    pub deals: Vec<Deal>,
    pub orders: Vec<Order>,
    pub tickets: Vec<Ticket>,
    pub assets: Vec<Asset>,
    /// The launched campaigns that list the customer, as a member or as
    /// left out for want of consent (not the other members).
    pub campaigns: Vec<Membership>,
    /// The changes to each of these files, newest first.
    pub history: Vec<FileHistory>,
}

/// A customer linked to the person by `company:`.
#[derive(Debug, Serialize)]
pub struct Linked {
    pub id: String,
    pub name: String,
    pub kind: CustomerKind,
}

/// The person in one campaign.
#[derive(Debug, Serialize)]
pub struct Membership {
    pub campaign: String,
    pub name: String,
    pub channel: String,
    #[serde(with = "opt_timestamp", skip_serializing_if = "Option::is_none")]
    pub launched: Option<Timestamp>,
    /// Why consent left them out, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
}

impl Membership {
    /// The person's place in `campaign`, if it lists one of `names`.
    fn of(campaign: Campaign, names: &[&str]) -> Option<Membership> {
        let member = campaign.members.iter().any(|m| names.contains(&m.as_str()));
        let excluded = (campaign.excluded.iter())
            .find(|e| names.contains(&e.customer.as_str()))
            .map(|e| e.reason.clone());
        (member || excluded.is_some()).then_some(Membership {
            campaign: campaign.id,
            name: campaign.name,
            channel: campaign.channel,
            launched: campaign.launched,
            excluded,
        })
    }
}

/// The changes to one record file.
#[derive(Debug, Serialize)]
pub struct FileHistory {
    pub file: PathBuf,
    pub revisions: Vec<Revision>,
}

/// Gathers everything on the customer `id` (a full id).
pub fn gather(store: &Store, id: &str) -> Result<Person> {
    if let Some(reason) = id::invalid_reason(id) {
        return Err(Error::usage(reason));
    }
    let customer: Customer = store.get_exact(id)?;
    let data = store.dataset()?;
    let names: Vec<&str> = std::iter::once(customer.id.as_str())
        .chain(customer.aliases.iter().map(String::as_str))
        .collect();
    let linked: Vec<Linked> = (data.customers.iter())
        .filter(|c| c.id != customer.id)
        .filter(|c| {
            let works_here = c.company.as_deref().is_some_and(|co| names.contains(&co));
            let employer = customer.company.as_deref() == Some(c.id.as_str());
            works_here || employer
        })
        .map(|c| Linked {
            id: c.id.to_string(),
            name: c.name.clone(),
            kind: c.kind,
        })
        .collect();
    let Dataset {
        interactions,
        deals,
        orders,
        tickets,
        assets,
        campaigns,
        ..
    } = data;
    let mut person = Person {
        linked,
        interactions: belonging(&names, interactions),
        deals: belonging(&names, deals),
        orders: belonging(&names, orders),
        tickets: belonging(&names, tickets),
        assets: belonging(&names, assets),
        campaigns: (campaigns.into_iter())
            .filter_map(|c| Membership::of(c, &names))
            .collect(),
        history: Vec::new(),
        customer,
    };
    let files: Vec<PathBuf> = std::iter::once(record_path(&person.customer))
        .chain(person.interactions.iter().map(record_path))
        .chain(person.deals.iter().map(record_path))
        .chain(person.orders.iter().map(record_path))
        .chain(person.tickets.iter().map(record_path))
        .chain(person.assets.iter().map(record_path))
        .collect();
    for file in files {
        let revisions = history(store, &file)?;
        person.history.push(FileHistory { file, revisions });
    }
    Ok(person)
}

/// The records that belong to the customer known by `names` (id and aliases).
fn belonging<T: Record>(names: &[&str], records: Vec<T>) -> Vec<T> {
    (records.into_iter())
        .filter(|r| r.customer().is_some_and(|c| names.contains(&c)))
        .collect()
}

/// What `write` wrote.
pub struct Written {
    pub files: Vec<PathBuf>,
}

/// Writes `person` to `output`: a new folder with `person.json` and
/// `person.md`, or, for a path ending in `.json`, that JSON file alone. An
/// existing file, or a folder with anything in it, is refused.
pub fn write(person: &Person, output: &Path) -> Result<Written> {
    let exists = |path: &Path| path.symlink_metadata().is_ok();
    let json_only = output.extension().is_some_and(|ext| ext == "json");
    let folder_used = output.is_dir()
        && std::fs::read_dir(output).map_or(true, |mut entries| entries.next().is_some());
    if (json_only && exists(output)) || (!json_only && (folder_used || output.is_file())) {
        return Err(Error::failed(format!(
            "{} already exists: an export of personal data is never written over something else",
            output.display()
        ))
        .with_hint("name a new folder, or a new file ending in .json"));
    }
    let mut json = Vec::new();
    write_json(&mut json, person).map_err(|e| Error::io(output, e))?;
    if json_only {
        std::fs::write(output, &json).map_err(|e| Error::io(output, e))?;
        return Ok(Written {
            files: vec![output.to_path_buf()],
        });
    }
    std::fs::create_dir_all(output).map_err(|e| Error::io(output, e))?;
    let json_path = output.join("person.json");
    let summary_path = output.join("person.md");
    std::fs::write(&json_path, &json).map_err(|e| Error::io(&json_path, e))?;
    let mut summary = Vec::new();
    write_summary(&mut summary, person).map_err(|e| Error::io(&summary_path, e))?;
    std::fs::write(&summary_path, &summary).map_err(|e| Error::io(&summary_path, e))?;
    Ok(Written {
        files: vec![json_path, summary_path],
    })
}

/// `person.md`: the same records as readable Markdown tables.
fn write_summary(out: &mut dyn Write, person: &Person) -> std::io::Result<()> {
    let customer = &person.customer;
    writeln!(
        out,
        "# Everything held on {} ({})\n",
        customer.name, customer.id
    )?;
    writeln!(
        out,
        "Every record is in person.json, whole; this summary lists them.\n"
    )?;
    let mut profile = Table::new(&["field", "value"]);
    let fields = serde_json::to_value(customer).unwrap_or_default();
    for (field, value) in fields.as_object().into_iter().flatten() {
        profile.push(vec![Cell::text(field), Cell::text(plain(value))]);
    }
    let mut linked = Table::new(&["id", "name", "kind"]);
    for other in &person.linked {
        linked.push(vec![
            Cell::text(&other.id),
            Cell::text(&other.name),
            Cell::text(other.kind.as_str()),
        ]);
    }
    let mut interactions = Table::new(&["at", "channel", "summary"]);
    for i in &person.interactions {
        interactions.push(vec![
            Cell::text(format_timestamp(&i.at)),
            Cell::text(i.channel.as_str()),
            i.summary.as_deref().into(),
        ]);
    }
    let mut deals = Table::new(&["id", "title", "stage", "value"]);
    for d in &person.deals {
        deals.push(vec![
            Cell::text(&d.id),
            Cell::text(&d.title),
            Cell::text(&d.stage),
            Cell::Money(d.value()),
        ]);
    }
    let mut orders = Table::new(&["id", "at", "total"]);
    for o in &person.orders {
        orders.push(vec![
            Cell::text(o.id.as_str()),
            Cell::text(format_timestamp(&o.at)),
            Cell::Money(o.value()),
        ]);
    }
    let mut tickets = Table::new(&["id", "subject", "status"]);
    for t in &person.tickets {
        tickets.push(vec![
            Cell::text(&t.id),
            Cell::text(&t.subject),
            Cell::text(t.status.as_str()),
        ]);
    }
    let mut assets = Table::new(&["id", "product", "serial"]);
    for a in &person.assets {
        assets.push(vec![
            Cell::text(&a.id),
            Cell::text(&a.product),
            a.serial.as_deref().into(),
        ]);
    }
    let mut campaigns = Table::new(&["id", "name", "channel", "launched", "excluded"]);
    for c in &person.campaigns {
        campaigns.push(vec![
            Cell::text(&c.campaign),
            Cell::text(&c.name),
            Cell::text(&c.channel),
            c.launched.map_or(Cell::Empty, Cell::DateTime),
            c.excluded.as_deref().into(),
        ]);
    }
    let mut changes = Table::new(&["at", "by", "file", "fields"]);
    for file in &person.history {
        for revision in &file.revisions {
            let fields: Vec<String> = revision.changes.iter().map(|c| c.field.clone()).collect();
            changes.push(vec![
                Cell::text(format_timestamp(&revision.at)),
                Cell::text(&revision.by),
                Cell::text(file.file.display().to_string()),
                Cell::List(fields),
            ]);
        }
    }
    let sections = [
        Section::new("profile", "Profile", profile),
        Section::new("linked", "Linked customers (company)", linked),
        Section::new("interactions", "Interactions", interactions),
        Section::new("deals", "Deals", deals),
        Section::new("orders", "Orders", orders),
        Section::new("tickets", "Tickets", tickets),
        Section::new("assets", "Assets", assets),
        Section::new("campaigns", "Campaigns", campaigns),
        Section::new("changes", "Who changed what, and when", changes),
    ];
    write_sections(out, &sections, Format::Markdown, Style::default())
}

/// A JSON value as one line of text: lists joined, maps as JSON.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
