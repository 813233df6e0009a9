//! Records and their validation. Pure data: nothing here touches files or git.

/// The accessors every record has alike: its `id`, its `conflicts` and, with
/// `customer`, the customer it belongs to.
macro_rules! record_accessors {
    () => {
        fn id(&self) -> &str {
            &self.id
        }

        fn conflicts(&self) -> &[$crate::model::merge::Conflict] {
            &self.conflicts
        }
    };
    (customer) => {
        record_accessors!();

        fn customer(&self) -> Option<&str> {
            Some(&self.customer)
        }

        fn belong_to(&mut self, customer: &str) {
            self.customer = customer.into();
        }
    };
}

pub mod asset;
pub mod assign;
pub mod campaign;
pub mod check;
pub mod consent;
pub mod customer;
pub mod dataset;
pub mod deal;
pub mod duplicates;
pub mod erasure;
pub mod id;
pub mod interaction;
pub mod merge;
pub mod order;
pub mod product;
pub mod searchable;
pub mod settings;
pub mod ticket;
pub mod values;

pub use asset::Asset;
pub use campaign::Campaign;
pub use customer::Customer;
pub use dataset::Dataset;
pub use deal::Deal;
pub use interaction::Interaction;
pub use order::{Line, Order};
pub use product::Product;
pub use settings::Settings;
pub use ticket::Ticket;

use chrono::NaiveDate;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;

/// The kinds of record, each with its folder in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Customer,
    Interaction,
    Deal,
    Product,
    Order,
    Ticket,
    Asset,
    Campaign,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Customer,
        Kind::Interaction,
        Kind::Deal,
        Kind::Product,
        Kind::Order,
        Kind::Ticket,
        Kind::Asset,
        Kind::Campaign,
    ];

    pub fn folder(self) -> &'static str {
        match self {
            Kind::Customer => "customers",
            Kind::Interaction => "interactions",
            Kind::Deal => "deals",
            Kind::Product => "products",
            Kind::Order => "orders",
            Kind::Ticket => "tickets",
            Kind::Asset => "assets",
            Kind::Campaign => "campaigns",
        }
    }

    /// Dated kinds live under `<folder>/<yyyy>/<mm>/`.
    pub fn is_dated(self) -> bool {
        matches!(self, Kind::Interaction | Kind::Order)
    }

    /// The kind of record a file holds, judged by the folders it sits in
    /// (`customers/x.yaml`, `interactions/2026/11/x.yaml`, below any prefix).
    pub fn of_path(path: &std::path::Path) -> Option<Kind> {
        if path.extension()? != "yaml" {
            return None;
        }
        let folders: Vec<&str> = path
            .parent()?
            .components()
            .map(|c| c.as_os_str().to_str().unwrap_or_default())
            .collect();
        Kind::ALL.into_iter().find(|kind| {
            let depth = if kind.is_dated() { 3 } else { 1 };
            let Some(at) = folders.len().checked_sub(depth) else {
                return false;
            };
            let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
            folders[at] == kind.folder() && folders[at + 1..].iter().all(|f| digits(f))
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Customer => "customer",
            Kind::Interaction => "interaction",
            Kind::Deal => "deal",
            Kind::Product => "product",
            Kind::Order => "order",
            Kind::Ticket => "ticket",
            Kind::Asset => "asset",
            Kind::Campaign => "campaign",
        }
    }
}

/// Runs `$body` with `$T` naming the record type of the kind `$kind`.
#[macro_export]
macro_rules! with_record_type {
    ($kind:expr, $T:ident => $body:expr) => {
        match $kind {
            $crate::model::Kind::Customer => {
                type $T = $crate::model::Customer;
                $body
            }
            $crate::model::Kind::Interaction => {
                type $T = $crate::model::Interaction;
                $body
            }
            $crate::model::Kind::Deal => {
                type $T = $crate::model::Deal;
                $body
            }
            $crate::model::Kind::Product => {
                type $T = $crate::model::Product;
                $body
            }
            $crate::model::Kind::Order => {
                type $T = $crate::model::Order;
                $body
            }
            $crate::model::Kind::Ticket => {
                type $T = $crate::model::Ticket;
                $body
            }
            $crate::model::Kind::Asset => {
                type $T = $crate::model::Asset;
                $body
            }
            $crate::model::Kind::Campaign => {
                type $T = $crate::model::Campaign;
                $body
            }
        }
    };
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(text: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                let names: Vec<_> = Kind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "`{text}` is not a kind of record: use one of {}",
                    names.join(", ")
                )
            })
    }
}

/// A problem with one field of a record, found without looking at other records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The top-level key the problem is about, used to point at its line.
    pub field: &'static str,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldProblem {
            field,
            message: message.into(),
        }
    }
}

/// One reference a record holds to another record: the field it is in and
/// the kind and id it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference<'a> {
    pub field: &'static str,
    pub kind: Kind,
    pub id: &'a str,
}

impl<'a> Reference<'a> {
    pub fn new(field: &'static str, kind: Kind, id: &'a str) -> Self {
        Reference { field, kind, id }
    }
}

/// What every record type offers the store and the checks.
pub trait Record:
    Serialize + DeserializeOwned + Clone + PartialEq + Send + Sync + searchable::Searchable
{
    const KIND: Kind;

    fn id(&self) -> &str;

    /// The customer the record belongs to, for kinds that belong to one.
    fn customer(&self) -> Option<&str> {
        None
    }

    /// Makes the record belong to `customer` (`customer merge`); a no-op
    /// for kinds that belong to no customer.
    fn belong_to(&mut self, _customer: &str) {}

    /// The channel of an interaction; other kinds have none.
    fn channel(&self) -> Option<&str> {
        None
    }

    /// The UTC date a dated record is filed under.
    fn filed_date(&self) -> Option<NaiveDate> {
        None
    }

    /// Values that lost a merge and wait for `relate resolve`.
    fn conflicts(&self) -> &[merge::Conflict];

    /// The append-only field (a customer's `consent`) that `self` changed
    /// from `original`, if any: no edit may rewrite what was recorded there.
    fn append_only_change(&self, _original: &Self) -> Option<&'static str> {
        None
    }

    /// Problems visible in the record alone, besides the syntax of its filters.
    fn problems(&self, settings: &Settings) -> Vec<FieldProblem>;

    /// Every record this one refers to, from its reference fields: the one
    /// table of who refers to what (removal and `set` read it).
    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }

    /// The filters the record holds (field, text), such as a campaign's
    /// `where`: the filter layer above checks their syntax.
    fn filters(&self) -> Vec<(&'static str, &str)> {
        Vec::new()
    }
}

/// Problems common to every record: a valid id.
fn id_problems(id: &str) -> Vec<FieldProblem> {
    id::invalid_reason(id)
        .map(|reason| FieldProblem::new("id", reason))
        .into_iter()
        .collect()
}

/// A required text field that is present but blank.
fn blank_problem(field: &'static str, value: &str) -> Option<FieldProblem> {
    value
        .trim()
        .is_empty()
        .then(|| FieldProblem::new(field, format!("`{field}` must not be empty")))
}

/// Optional text fields that are present but blank: a file never holds an empty value.
fn blank_optional_problems<'a>(
    fields: impl IntoIterator<Item = (&'static str, Option<&'a str>)>,
) -> impl Iterator<Item = FieldProblem> {
    fields
        .into_iter()
        .filter_map(|(field, value)| blank_problem(field, value?))
}

/// An owner not among the team in relate.yaml (when the team is listed at all).
fn owner_problem(settings: &Settings, owner: Option<&str>) -> Option<FieldProblem> {
    let owner = owner?;
    (!settings.owners.is_empty() && !settings.is_known_owner(owner)).then(|| {
        let known = settings.owners.iter().map(|o| o.id.as_str());
        let hint = match closest(known, owner) {
            Some(near) => format!("did you mean `{near}`? "),
            None => String::new(),
        };
        FieldProblem::new(
            "owner",
            format!(
                "unknown owner `{owner}`: {hint}add it with `relate owner add {owner} --name NAME`"
            ),
        )
    })
}

/// The name among `names` closest to `wanted`, if one is close (Jaro-Winkler
/// above 0.8): the "did you mean" of errors.
pub fn closest<'a>(names: impl Iterator<Item = &'a str>, wanted: &str) -> Option<&'a str> {
    names
        .map(|name| (strsim::jaro_winkler(name, wanted), name))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn kinds_of_paths() {
        let kind = |path: &str| Kind::of_path(Path::new(path));
        assert_eq!(kind("customers/acme.yaml"), Some(Kind::Customer));
        assert_eq!(kind("crm/deals/x.yaml"), Some(Kind::Deal));
        assert_eq!(kind("interactions/2026/11/x.yaml"), Some(Kind::Interaction));
        assert_eq!(kind("store/orders/2026/01/x.yaml"), Some(Kind::Order));
        assert_eq!(kind("relate.yaml"), None);
        assert_eq!(kind("interactions/x.yaml"), None);
        assert_eq!(kind("customers/notes.txt"), None);
    }
}
