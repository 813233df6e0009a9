//! Column mappings for the CSV exports of common tools, chosen with `--preset`.
//!
//! HubSpot's column names are those of its CRM exports (Contacts and Deals,
//! "Export view" with the default properties); a column missing from a file
//! is simply not imported.

use super::ImportKind;

/// A named mapping of columns to fields, with value translations.
pub struct Preset {
    pub name: &'static str,
    /// The import the preset is for.
    pub kind: ImportKind,
    /// Each field with the columns it may come from, the first present winning.
    pub columns: &'static [(&'static str, &'static [&'static str])],
    /// Values new records get when the file does not say (`FIELD`, `VALUE`).
    pub defaults: &'static [(&'static str, &'static str)],
    /// Turns the tool's values into relate's; an empty result drops the value.
    translate: fn(field: &str, value: &str) -> Option<&'static str>,
}

impl Preset {
    pub fn translate(&self, field: &str, value: &str) -> String {
        (self.translate)(field, value).map_or_else(|| value.to_string(), str::to_string)
    }

    pub fn default_value(&self, field: &str) -> Option<&'static str> {
        self.defaults
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| *v)
    }
}

pub const PRESETS: &[Preset] = &[HUBSPOT_CONTACTS, HUBSPOT_DEALS, CONTACTS];

/// The presets' names (a test checks they match `PRESETS`).
pub const NAMES: &[&str] = &["hubspot-contacts", "hubspot-deals", "contacts"];

pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

const HUBSPOT_CONTACTS: Preset = Preset {
    name: "hubspot-contacts",
    kind: ImportKind::Customers,
    columns: &[
        ("external_id", &["Record ID", "Contact ID"]),
        ("name", &["First Name+Last Name", "Full Name"]),
        ("emails", &["Email"]),
        (
            "phones",
            &["Phone Number+Mobile Phone Number", "Phone Number"],
        ),
        ("company", &["Company Name", "Associated Company"]),
        ("owner", &["Contact owner"]),
        ("stage", &["Lifecycle Stage"]),
        ("created", &["Create Date"]),
        ("region", &["Country/Region", "Country"]),
        ("source", &["Original Source", "Lead Source"]),
        ("fields.job_title", &["Job Title"]),
        ("fields.city", &["City"]),
    ],
    defaults: &[("kind", "person")],
    translate: hubspot_value,
};

const HUBSPOT_DEALS: Preset = Preset {
    name: "hubspot-deals",
    kind: ImportKind::Deals,
    columns: &[
        ("external_id", &["Record ID", "Deal ID"]),
        ("title", &["Deal Name"]),
        (
            "customer",
            &[
                "Associated Contact IDs",
                "Associated Contact",
                "Associated Company IDs",
                "Associated Company",
            ],
        ),
        ("stage", &["Deal Stage"]),
        ("amount", &["Amount"]),
        ("expected_close", &["Close Date"]),
        ("created", &["Create Date"]),
        ("owner", &["Deal owner"]),
        ("lost_reason", &["Closed Lost Reason"]),
    ],
    defaults: &[],
    translate: hubspot_value,
};

const CONTACTS: Preset = Preset {
    name: "contacts",
    kind: ImportKind::Customers,
    columns: &[
        ("name", &["Name", "Full Name"]),
        (
            "emails",
            &["E-mail", "Email", "E-mail Address", "Email Address"],
        ),
        ("phones", &["Phone", "Phone Number", "Telephone"]),
        ("company", &["Company", "Organization"]),
        ("notes", &["Notes", "Note"]),
    ],
    defaults: &[("kind", "person")],
    translate: |_, _| None,
};

/// HubSpot's lifecycle stages and default sales pipeline, in relate's terms.
/// Deal stages land on the stages of relate's default pipeline.
fn hubspot_value(field: &str, value: &str) -> Option<&'static str> {
    let key: String = value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    match (field, key.as_str()) {
        ("stage", "subscriber" | "lead") => Some("lead"),
        ("stage", "marketingqualifiedlead" | "salesqualifiedlead" | "opportunity") => {
            Some("prospect")
        }
        ("stage", "customer" | "evangelist") => Some("customer"),
        ("stage", "other") => Some(""),
        ("stage", "appointmentscheduled") => Some("qualification"),
        ("stage", "qualifiedtobuy") => Some("needs_analysis"),
        ("stage", "presentationscheduled" | "decisionmakerboughtin") => Some("proposal"),
        ("stage", "contractsent") => Some("negotiation"),
        ("stage", "closedwon") => Some("won"),
        ("stage", "closedlost") => Some("lost"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_list_every_preset() {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        assert_eq!(names, NAMES);
    }

    #[test]
    fn hubspot_values_become_relate_values() {
        let preset = find("hubspot-deals").unwrap();
        assert_eq!(preset.translate("stage", "Closed Won"), "won");
        assert_eq!(
            preset.translate("stage", "Decision Maker Bought-In"),
            "proposal"
        );
        assert_eq!(preset.translate("stage", "Custom stage"), "Custom stage");
        assert_eq!(preset.translate("title", "Lead"), "Lead");
        let contacts = find("hubspot-contacts").unwrap();
        assert_eq!(
            contacts.translate("stage", "Marketing Qualified Lead"),
            "prospect"
        );
        assert_eq!(contacts.translate("stage", "Other"), "");
        assert_eq!(contacts.default_value("kind"), Some("person"));
    }
}
