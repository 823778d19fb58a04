//! How one document's front matter changed between two versions: the one
//! comparison behind the site's history of each commit and `diff` between
//! two revisions.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};

/// One field's old and new value.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    /// Before.
    pub old: Value,
    /// After.
    pub new: Value,
}

/// Fields whose change is bookkeeping, not strategy.
const QUIET_FIELDS: &[&str] = &["reviewed_against", "checkins"];

/// How one document's front matter changed: the one comparison behind
/// `diff` between two revisions and the site's history of each commit.
#[derive(Debug, Default)]
pub struct FrontMatterChange {
    /// Fields that changed (bookkeeping fields aside), old and new.
    pub fields: BTreeMap<String, FieldChange>,
    /// Check-ins the new front matter adds.
    pub checkins_added: Vec<Value>,
    /// Ids `depends_on` names now and did not before, in the order written.
    pub dependencies_added: Vec<String>,
    /// Ids `depends_on` named before and does not now.
    pub dependencies_removed: Vec<String>,
}

/// Compares two parsed front matters field by field.
pub fn front_matter_change(
    old_fields: &Map<String, Value>,
    new_fields: &Map<String, Value>,
) -> FrontMatterChange {
    let keys: BTreeSet<&String> = old_fields.keys().chain(new_fields.keys()).collect();
    let mut fields = BTreeMap::new();
    for key in keys {
        let (a, b) = (old_fields.get(key), new_fields.get(key));
        if a == b || QUIET_FIELDS.contains(&key.as_str()) {
            continue;
        }
        fields.insert(
            key.clone(),
            FieldChange {
                old: a.cloned().unwrap_or(Value::Null),
                new: b.cloned().unwrap_or(Value::Null),
            },
        );
    }
    let checkins_added = added_items(old_fields.get("checkins"), new_fields.get("checkins"));
    let (old_deps, new_deps) = (
        dependency_ids(old_fields.get("depends_on")),
        dependency_ids(new_fields.get("depends_on")),
    );
    let only_in = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|id| !b.contains(id)).cloned().collect()
    };
    FrontMatterChange {
        fields,
        checkins_added,
        dependencies_added: only_in(&new_deps, &old_deps),
        dependencies_removed: only_in(&old_deps, &new_deps),
    }
}

/// The ids a `depends_on:` value names, as written (a list of ids or of
/// `{id, ...}`, or one id), each once; what is not an id is left out, as
/// the parser reports it.
fn dependency_ids(value: Option<&Value>) -> Vec<String> {
    let id_of = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => match o.get("id") {
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        },
        _ => None,
    };
    let items: Vec<&Value> = match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    };
    let mut ids: Vec<String> = Vec::new();
    for id in items.into_iter().filter_map(id_of) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// Items of the list `new` that `old` does not have (each counted as often as it appears).
fn added_items(old: Option<&Value>, new: Option<&Value>) -> Vec<Value> {
    let as_list = |v: Option<&Value>| match v {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    let mut remaining = as_list(old);
    let mut added = Vec::new();
    for item in as_list(new) {
        match remaining.iter().position(|o| *o == item) {
            Some(i) => {
                remaining.swap_remove(i);
            }
            None => added.push(item),
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_added_and_removed_are_read_by_id_however_written() {
        let map = |yaml: serde_json::Value| yaml.as_object().cloned().unwrap_or_default();
        let old =
            map(serde_json::json!({"depends_on": ["a", {"id": "b", "needed_by": "2027-01-01"}]}));
        let new =
            map(serde_json::json!({"depends_on": [{"id": "a", "note": "now with a note"}, "c"]}));
        let change = front_matter_change(&old, &new);
        assert_eq!(change.dependencies_added, ["c"]);
        assert_eq!(change.dependencies_removed, ["b"]);
        let none = front_matter_change(&old, &Map::new());
        assert_eq!(none.dependencies_removed, ["a", "b"]);
        assert!(none.dependencies_added.is_empty());
    }

    #[test]
    fn only_new_list_items_are_added() {
        let old = serde_json::json!([{"date": "2026-10-01", "value": 1}]);
        let new = serde_json::json!([{"date": "2026-10-01", "value": 1}, {"date": "2026-11-01", "value": 2}]);
        assert_eq!(
            added_items(Some(&old), Some(&new)),
            vec![serde_json::json!({"date": "2026-11-01", "value": 2})]
        );
        assert!(added_items(Some(&new), Some(&old)).is_empty());
    }
}
