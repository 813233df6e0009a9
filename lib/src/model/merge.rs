//! Three-way merge of one record, field by field. Pure: YAML values in, a YAML
//! value out; git and files are the store's business.
//!
//! The rules (docs/collaboration.md explains them to users):
//!
//! - A field changed on one side only takes that side's value.
//! - List fields (`tags`, `emails`, `phones`, `lines`, a customer's `consent`)
//!   merge as sets: what either side added is kept, what either side removed is gone.
//! - A deal's or a ticket's `history` merges as a set too, sorted by date, then
//!   stage (or status), then `by`; the deal's `stage` (the ticket's `status`)
//!   follows the last entry of the merged history.
//! - Custom `fields` merge name by name, each as its own field (`fields.NAME`).
//! - Two different values for one scalar field are a real conflict: the side
//!   whose change is later (by commit time) wins, ours on a tie, and the other
//!   value is kept in the record's `conflicts` list until someone settles it.
//! - A record created on both sides (no common version) merges the same way,
//!   every field counting as changed on both sides.

use serde::{Deserialize, Serialize};
use serde_yaml::{Mapping, Value};
use std::fmt;

use super::values::{Timestamp, opt_timestamp};

/// The value of a field that lost a merge, kept in the record until resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// The field, e.g. `owner` or `fields.industry`.
    pub field: String,
    /// The value not kept; absent when that side had removed the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Who made the change that was not kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When that change was committed.
    #[serde(
        default,
        with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub at: Option<Timestamp>,
}

impl Conflict {
    /// The recorded value (or its removal), who made it and when, as people read it.
    pub fn describe(&self) -> String {
        let mut text = match &self.value {
            Some(value) => format!("`{}`", plain(value)),
            None => "removing it".to_string(),
        };
        if let Some(by) = &self.by {
            text.push_str(&format!(" by {by}"));
        }
        if let Some(at) = &self.at {
            text.push_str(&format!(" at {}", super::values::format_timestamp(at)));
        }
        text
    }
}

/// The value of `field` in a record, where `fields.NAME` names a custom field.
pub fn field_value<'a>(record: &'a Value, field: &str) -> Option<&'a Value> {
    match field.split_once('.') {
        Some((map, name)) => record.get(map)?.get(name),
        None => record.get(field),
    }
    .filter(|value| !value.is_null())
}

/// Sets `field` of a record to `value`, or removes it for `None`.
pub fn set_field(record: &mut Mapping, field: &str, value: Option<Value>) {
    let (map, key) = match field.split_once('.') {
        Some((map, name)) => (Some(map), name),
        None => (None, field),
    };
    let target = match map {
        None => &mut *record,
        Some(map) => {
            let entry = record
                .entry(map.into())
                .or_insert_with(|| Value::Mapping(Mapping::new()));
            if !entry.is_mapping() {
                *entry = Value::Mapping(Mapping::new());
            }
            entry.as_mapping_mut().expect("made a mapping")
        }
    };
    match value {
        Some(value) => {
            target.insert(key.into(), value);
        }
        None => {
            target.remove(key);
        }
    }
    if let Some(map) = map
        && record
            .get(map)
            .and_then(Value::as_mapping)
            .is_some_and(Mapping::is_empty)
    {
        record.remove(map);
    }
}

/// One side of a merge: the record as that side has it, and who changed it last and when.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    pub record: &'a Value,
    pub by: Option<String>,
    pub at: Option<Timestamp>,
}

/// A version that is not a YAML mapping cannot be merged field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotARecord(pub &'static str);

impl fmt::Display for NotARecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} version is not a record (a YAML mapping)", self.0)
    }
}

impl std::error::Error for NotARecord {}

/// What becomes of a field that both sides set to different values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// The later change wins; the other value is recorded in `conflicts`.
    Record,
    /// Ours stays and nothing is recorded: for taking a change back, where
    /// whatever changed the field since must survive.
    KeepOurs,
}

/// How a field merges when both sides changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Scalar,
    Set,
    History,
    Map,
    Conflicts,
}

fn rule(field: &str) -> Rule {
    match field {
        "tags" | "emails" | "phones" | "lines" | "members" | "aliases" | "consent" | "excluded" => {
            Rule::Set
        }
        "history" => Rule::History,
        "fields" => Rule::Map,
        "conflicts" => Rule::Conflicts,
        _ => Rule::Scalar,
    }
}

const CONFLICTS: &str = "conflicts";
const HISTORY: &str = "history";
const STAGE: &str = "stage";
const STATUS: &str = "status";

/// Merges `ours` and `theirs`, two descendants of `base` (`None`: both created
/// the record). Returns the merged record and the conflicts this merge added.
pub fn merge(
    base: Option<&Value>,
    ours: &Side,
    theirs: &Side,
    on_conflict: OnConflict,
) -> Result<(Value, Vec<Conflict>), NotARecord> {
    let empty = Mapping::new();
    let base = match base {
        None | Some(Value::Null) => &empty,
        Some(value) => value.as_mapping().ok_or(NotARecord("the common"))?,
    };
    let ours_map = ours.record.as_mapping().ok_or(NotARecord("our"))?;
    let theirs_map = theirs.record.as_mapping().ok_or(NotARecord("their"))?;
    let mut merger = Merger {
        ours,
        theirs,
        theirs_win: theirs.at > ours.at,
        on_conflict,
        conflicts: Vec::new(),
    };
    let mut merged = merger.mappings("", base, ours_map, theirs_map, rule);
    let history_merged = [ours_map, theirs_map]
        .iter()
        .all(|side| side.get(HISTORY) != base.get(HISTORY));
    if history_merged {
        follow_history(&mut merged, &mut merger.conflicts);
    }
    let added = merger.conflicts;
    if !added.is_empty() {
        let mut all = match merged.remove(CONFLICTS) {
            Some(Value::Sequence(items)) => items,
            _ => Vec::new(),
        };
        for conflict in &added {
            let value = serde_yaml::to_value(conflict).expect("conflicts serialize");
            if !all.contains(&value) {
                all.push(value);
            }
        }
        merged.insert(CONFLICTS.into(), Value::Sequence(all));
    }
    Ok((Value::Mapping(merged), added))
}

struct Merger<'a> {
    ours: &'a Side<'a>,
    theirs: &'a Side<'a>,
    /// Whether their change is the later one, so their value wins a conflict.
    theirs_win: bool,
    on_conflict: OnConflict,
    conflicts: Vec<Conflict>,
}

impl Merger<'_> {
    /// Merges mappings key by key; `prefix` names nested fields (`fields.`).
    fn mappings(
        &mut self,
        prefix: &str,
        base: &Mapping,
        ours: &Mapping,
        theirs: &Mapping,
        rule_of: impl Fn(&str) -> Rule,
    ) -> Mapping {
        let keys = ours
            .keys()
            .chain(theirs.keys().filter(|k| !ours.contains_key(*k)));
        let mut merged = Mapping::new();
        for key in keys {
            let name = match key.as_str() {
                Some(name) => format!("{prefix}{name}"),
                None => format!("{prefix}{}", plain(key)),
            };
            let rule = key.as_str().map_or(Rule::Scalar, &rule_of);
            if let Some(value) =
                self.field(&name, rule, base.get(key), ours.get(key), theirs.get(key))
            {
                merged.insert(key.clone(), value);
            }
        }
        merged
    }

    /// The merged value of one field, `None` when it ends up absent.
    fn field(
        &mut self,
        name: &str,
        rule: Rule,
        base: Option<&Value>,
        ours: Option<&Value>,
        theirs: Option<&Value>,
    ) -> Option<Value> {
        if ours == theirs || theirs == base {
            return ours.cloned();
        }
        if ours == base {
            return theirs.cloned();
        }
        let merged = match rule {
            Rule::Set | Rule::History | Rule::Conflicts => {
                match (sequence(base), sequence(ours), sequence(theirs)) {
                    (Some(b), Some(o), Some(t)) => {
                        let mut items = set_merge(b, o, t);
                        if rule == Rule::History {
                            items.sort_by_cached_key(history_key);
                        }
                        Some((!items.is_empty()).then_some(Value::Sequence(items)))
                    }
                    _ => None,
                }
            }
            Rule::Map => {
                let empty = Mapping::new();
                let mapping = |value| mapping_or(value, &empty);
                match (mapping(base), mapping(ours), mapping(theirs)) {
                    (Some(b), Some(o), Some(t)) => {
                        let map = self.mappings(&format!("{name}."), b, o, t, |_| Rule::Scalar);
                        Some((!map.is_empty()).then_some(Value::Mapping(map)))
                    }
                    _ => None,
                }
            }
            Rule::Scalar => None,
        };
        // A list or map that a hand edit turned into something else is a plain conflict.
        merged.unwrap_or_else(|| self.conflict(name, ours, theirs))
    }

    /// Both sides set `name` differently: the later change wins, the other is recorded.
    fn conflict(
        &mut self,
        name: &str,
        ours: Option<&Value>,
        theirs: Option<&Value>,
    ) -> Option<Value> {
        if self.on_conflict == OnConflict::KeepOurs {
            return ours.cloned();
        }
        let (kept, lost, loser) = if self.theirs_win {
            (theirs, ours, self.ours)
        } else {
            (ours, theirs, self.theirs)
        };
        self.conflicts.push(Conflict {
            field: name.to_string(),
            value: lost.cloned(),
            by: loser.by.clone(),
            at: loser.at,
        });
        kept.cloned()
    }
}

/// A list field's items; an absent field is an empty list.
fn sequence(value: Option<&Value>) -> Option<&[Value]> {
    match value {
        None => Some(&[]),
        Some(Value::Sequence(items)) => Some(items),
        Some(_) => None,
    }
}

/// A map field's entries; an absent field is `empty`.
fn mapping_or<'a>(value: Option<&'a Value>, empty: &'a Mapping) -> Option<&'a Mapping> {
    match value {
        None => Some(empty),
        Some(value) => value.as_mapping(),
    }
}

/// What either side added is kept, what either side removed is gone; our order
/// first, then their additions in their order.
fn set_merge(base: &[Value], ours: &[Value], theirs: &[Value]) -> Vec<Value> {
    let removed_by = |side: &[Value]| -> Vec<&Value> {
        base.iter().filter(|item| !side.contains(item)).collect()
    };
    let ours_removed = removed_by(ours);
    let theirs_removed = removed_by(theirs);
    let mut merged: Vec<Value> = ours
        .iter()
        .filter(|item| !theirs_removed.contains(item))
        .cloned()
        .collect();
    for item in theirs {
        if !merged.contains(item) && !ours_removed.contains(&item) {
            merged.push(item.clone());
        }
    }
    merged
}

/// Stage moves (ticket status changes) sort by date, then stage (status), then
/// who: the same order whichever side merges.
fn history_key(entry: &Value) -> (String, String, String, String) {
    let text = |key: &str| entry.get(key).map(plain).unwrap_or_default();
    (text("at"), text(STAGE), text(STATUS), text("by"))
}

/// When both sides moved a deal (or changed a ticket), its stage (status) is
/// where the merged history ends, not a conflict: both moves are in the history.
fn follow_history(merged: &mut Mapping, conflicts: &mut Vec<Conflict>) {
    let last = merged
        .get(HISTORY)
        .and_then(Value::as_sequence)
        .and_then(|history| history.last())
        .cloned();
    for key in [STAGE, STATUS] {
        if let Some(value) = last.as_ref().and_then(|entry| entry.get(key)) {
            merged.insert(key.into(), value.clone());
            conflicts.retain(|c| c.field != key);
        }
    }
}

/// A scalar as plain text (strings unquoted); other values as compact YAML.
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::values::parse_timestamp;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    fn side<'a>(record: &'a Value, by: &str, at: &str) -> Side<'a> {
        Side {
            record,
            by: Some(by.to_string()),
            at: Some(parse_timestamp(at).unwrap()),
        }
    }

    /// Merges with ours by ana at `ours_at` and theirs by bo at `theirs_at`.
    fn merge3(
        base: Option<&str>,
        ours: &str,
        theirs: &str,
        ours_at: &str,
        theirs_at: &str,
    ) -> (Value, Vec<Conflict>) {
        let base = base.map(yaml);
        let (ours, theirs) = (yaml(ours), yaml(theirs));
        merge(
            base.as_ref(),
            &side(&ours, "ana", ours_at),
            &side(&theirs, "bo", theirs_at),
            OnConflict::Record,
        )
        .unwrap()
    }

    const T1: &str = "2026-11-20T09:00:00Z";
    const T2: &str = "2026-11-21T09:00:00Z";

    #[test]
    fn changes_to_different_fields_are_both_kept() {
        let (merged, conflicts) = merge3(
            Some("id: a\nname: A\nowner: ana\nregion: EU\n"),
            "id: a\nname: A\nowner: bo\nregion: EU\n",
            "id: a\nname: A Ltd\nowner: ana\n",
            T1,
            T2,
        );
        assert_eq!(merged, yaml("id: a\nname: A Ltd\nowner: bo\n"));
        assert!(conflicts.is_empty());
    }

    #[test]
    fn lists_merge_as_sets() {
        let (merged, conflicts) = merge3(
            Some("tags: [a, b, c]\nemails: [x@e]\n"),
            "tags: [a, c, ours]\nemails: [x@e, o@e]\n",
            "tags: [b, c, theirs]\n",
            T1,
            T2,
        );
        // a: removed by theirs; b: removed by ours; c kept; both additions kept.
        // emails: theirs removed x@e, ours added o@e.
        assert_eq!(merged, yaml("tags: [c, ours, theirs]\nemails: [o@e]\n"));
        assert!(conflicts.is_empty());
    }

    #[test]
    fn a_list_emptied_on_both_sides_disappears() {
        let (merged, _) = merge3(
            Some("id: a\ntags: [a, b]\n"),
            "id: a\ntags: [a]\n",
            "id: a\ntags: [b]\n",
            T1,
            T2,
        );
        assert_eq!(merged, yaml("id: a\n"));
    }

    #[test]
    fn the_later_change_wins_and_the_other_value_is_recorded() {
        let base = Some("id: a\nowner: cy\n");
        let (merged, conflicts) = merge3(base, "id: a\nowner: ana\n", "id: a\nowner: bo\n", T1, T2);
        let recorded = Conflict {
            field: "owner".into(),
            value: Some("ana".into()),
            by: Some("ana".into()),
            at: Some(parse_timestamp(T1).unwrap()),
        };
        assert_eq!(merged["owner"], "bo");
        assert_eq!(conflicts, std::slice::from_ref(&recorded));
        let stored: Vec<Conflict> = serde_yaml::from_value(merged["conflicts"].clone()).unwrap();
        assert_eq!(stored, [recorded]);

        // Ours later: ours stays. A tie keeps ours too.
        for (ours_at, theirs_at) in [(T2, T1), (T1, T1)] {
            let (merged, conflicts) = merge3(
                base,
                "id: a\nowner: ana\n",
                "id: a\nowner: bo\n",
                ours_at,
                theirs_at,
            );
            assert_eq!(merged["owner"], "ana");
            assert_eq!(conflicts[0].value, Some("bo".into()));
            assert_eq!(conflicts[0].by.as_deref(), Some("bo"));
        }
    }

    #[test]
    fn a_removal_against_a_change_is_a_conflict_too() {
        let (merged, conflicts) = merge3(
            Some("id: a\nregion: EU\n"),
            "id: a\n",
            "id: a\nregion: US\n",
            T2,
            T1,
        );
        assert_eq!(merged["region"], Value::Null, "ours (a removal) is later");
        assert_eq!(merged.get("region"), None);
        assert_eq!(conflicts[0].field, "region");
        assert_eq!(conflicts[0].value, Some("US".into()));

        let (merged, conflicts) = merge3(
            Some("id: a\nregion: EU\n"),
            "id: a\n",
            "id: a\nregion: US\n",
            T1,
            T2,
        );
        assert_eq!(merged["region"], "US");
        assert_eq!(conflicts[0].value, None, "the lost side had no value");
        let text = serde_yaml::to_string(&merged["conflicts"]).unwrap();
        assert!(
            !text.contains("value"),
            "an absent value is not written: {text}"
        );
    }

    #[test]
    fn custom_fields_merge_name_by_name() {
        let (merged, conflicts) = merge3(
            Some("fields: {industry: retail, size: 10}\n"),
            "fields: {industry: food, size: 10, vat: x1}\n",
            "fields: {industry: retail, size: 12}\n",
            T1,
            T2,
        );
        assert_eq!(
            merged,
            yaml("fields: {industry: food, size: 12, vat: x1}\n")
        );
        assert!(conflicts.is_empty());

        let (merged, conflicts) = merge3(
            Some("fields: {size: 10}\n"),
            "fields: {size: 11}\n",
            "fields: {size: 12}\n",
            T1,
            T2,
        );
        assert_eq!(merged["fields"]["size"], 12);
        assert_eq!(conflicts[0].field, "fields.size");
        assert_eq!(conflicts[0].value, Some(11.into()));
    }

    #[test]
    fn deal_histories_merge_by_date_and_the_stage_follows() {
        let base =
            "stage: qualification\nhistory:\n- {stage: qualification, at: 2026-11-01, by: ana}\n";
        let ours = "stage: proposal\nhistory:\n- {stage: qualification, at: 2026-11-01, by: ana}\n- {stage: proposal, at: 2026-11-20, by: ana}\n";
        let theirs = "stage: needs_analysis\nhistory:\n- {stage: qualification, at: 2026-11-01, by: ana}\n- {stage: needs_analysis, at: 2026-11-10, by: bo}\n";
        // Ours is older by commit time, so a plain conflict would keep theirs;
        // the stage follows the merged history instead.
        let (merged, conflicts) = merge3(Some(base), ours, theirs, T1, T2);
        assert_eq!(
            merged,
            yaml(
                "stage: proposal\nhistory:\n- {stage: qualification, at: 2026-11-01, by: ana}\n- {stage: needs_analysis, at: 2026-11-10, by: bo}\n- {stage: proposal, at: 2026-11-20, by: ana}\n"
            )
        );
        assert!(conflicts.is_empty(), "{conflicts:?}");
    }

    #[test]
    fn ticket_histories_merge_and_the_status_follows() {
        let base = "status: open\nhistory:\n- {status: open, at: '2026-11-20T09:00:00Z'}\n";
        let ours = "status: waiting\nhistory:\n- {status: open, at: '2026-11-20T09:00:00Z'}\n- {status: waiting, at: '2026-11-20T11:00:00Z', by: ana}\n";
        let theirs = "status: in_progress\nhistory:\n- {status: open, at: '2026-11-20T09:00:00Z'}\n- {status: in_progress, at: '2026-11-20T10:00:00Z', by: bo}\n";
        // Theirs is the later commit, but ours is the later change to the ticket.
        let (merged, conflicts) = merge3(Some(base), ours, theirs, T1, T2);
        assert_eq!(merged["status"], "waiting");
        assert_eq!(merged["history"].as_sequence().unwrap().len(), 3);
        assert!(conflicts.is_empty(), "{conflicts:?}");
    }

    #[test]
    fn campaign_members_merge_as_a_set() {
        let base = "members: [a, b]\n";
        let (merged, conflicts) =
            merge3(Some(base), "members: [a, b, c]\n", "members: [b]\n", T1, T2);
        assert_eq!(merged["members"], yaml("[b, c]"));
        assert!(conflicts.is_empty());
    }

    #[test]
    fn the_same_move_on_one_day_sorts_by_stage_then_by() {
        let base = "stage: a\nhistory:\n- {stage: a, at: 2026-11-01}\n";
        let ours = "stage: b\nhistory:\n- {stage: a, at: 2026-11-01}\n- {stage: b, at: 2026-11-22, by: zed}\n";
        let theirs = "stage: b\nhistory:\n- {stage: a, at: 2026-11-01}\n- {stage: b, at: 2026-11-22, by: amy}\n";
        let (merged, _) = merge3(Some(base), ours, theirs, T1, T1);
        let by: Vec<_> = merged["history"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|e| plain(&e["by"]))
            .collect();
        assert_eq!(by, ["", "amy", "zed"]);
        assert_eq!(merged["stage"], "b");
    }

    #[test]
    fn records_created_on_both_sides_merge_into_one() {
        let (merged, conflicts) = merge3(
            None,
            "id: acme\nname: Acme\nemails: [a@acme]\ncreated: 2026-11-20\n",
            "id: acme\nname: ACME Inc\nemails: [b@acme]\ncreated: 2026-11-20\n",
            T1,
            T2,
        );
        assert_eq!(merged["name"], "ACME Inc");
        assert_eq!(merged["emails"], yaml("[a@acme, b@acme]"));
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].value, Some("Acme".into()));
    }

    #[test]
    fn recorded_conflicts_merge_as_a_set_and_resolutions_stick() {
        let c = |v: &str| format!("- {{field: owner, value: {v}}}\n");
        let base = format!("owner: x\nconflicts:\n{}{}", c("p"), c("q"));
        // Ours resolved `p`; theirs added `r` and changed the name.
        let ours = format!("owner: x\nconflicts:\n{}", c("q"));
        let theirs = format!(
            "owner: x\nname: N\nconflicts:\n{}{}{}",
            c("p"),
            c("q"),
            c("r")
        );
        let (merged, conflicts) = merge3(Some(&base), &ours, &theirs, T1, T2);
        assert_eq!(
            merged,
            yaml(&format!(
                "owner: x\nconflicts:\n{}{}name: N\n",
                c("q"),
                c("r")
            ))
        );
        assert!(conflicts.is_empty());
    }

    #[test]
    fn a_list_turned_into_a_scalar_by_hand_is_a_plain_conflict() {
        let (merged, conflicts) = merge3(
            Some("tags: [a]\n"),
            "tags: [a, b]\n",
            "tags: oops\n",
            T1,
            T2,
        );
        assert_eq!(merged["tags"], "oops");
        assert_eq!(conflicts[0].value, Some(yaml("[a, b]")));
    }

    #[test]
    fn keeping_ours_records_nothing() {
        let base = yaml("id: a\nregion: EU\ntags: [x]\n");
        let (ours, theirs) = (yaml("id: a\nregion: US\ntags: [x]\n"), yaml("id: a\n"));
        let (merged, conflicts) = merge(
            Some(&base),
            &side(&ours, "ana", T1),
            &side(&theirs, "bo", T2),
            OnConflict::KeepOurs,
        )
        .unwrap();
        assert_eq!(merged, yaml("id: a\nregion: US\n"));
        assert!(conflicts.is_empty());
    }

    #[test]
    fn dotted_fields() {
        let mut record = yaml("id: a\nfields: {size: 3}\n");
        assert_eq!(field_value(&record, "fields.size"), Some(&Value::from(3)));
        assert_eq!(field_value(&record, "owner"), None);
        let map = record.as_mapping_mut().unwrap();
        set_field(map, "fields.vat", Some("x".into()));
        set_field(map, "owner", Some("bo".into()));
        assert_eq!(
            record,
            yaml("id: a\nfields: {size: 3, vat: x}\nowner: bo\n")
        );
        let map = record.as_mapping_mut().unwrap();
        set_field(map, "fields.size", None);
        set_field(map, "fields.vat", None);
        assert_eq!(record, yaml("id: a\nowner: bo\n"));
    }

    #[test]
    fn versions_that_are_not_mappings_are_refused() {
        let list = yaml("[1, 2]");
        let record = yaml("id: a\n");
        let error = merge(
            None,
            &side(&list, "a", T1),
            &side(&record, "b", T1),
            OnConflict::Record,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "our version is not a record (a YAML mapping)"
        );
    }
}
