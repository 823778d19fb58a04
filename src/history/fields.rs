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

/// Compares two parsed front matters field by field, and nested maps
/// field by field within (`success.target`), so that a change reads as the
/// one value that moved rather than two whole maps; lists of the same
/// length item by item (`key_results[2].target`, counted from 1 as
/// messages count them).
pub fn front_matter_change(
    old_fields: &Map<String, Value>,
    new_fields: &Map<String, Value>,
) -> FrontMatterChange {
    let keys: BTreeSet<&String> = old_fields.keys().chain(new_fields.keys()).collect();
    let mut fields = BTreeMap::new();
    for key in keys {
        if QUIET_FIELDS.contains(&key.as_str()) {
            continue;
        }
        compare(
            key.clone(),
            old_fields.get(key).unwrap_or(&Value::Null),
            new_fields.get(key).unwrap_or(&Value::Null),
            &mut fields,
            0,
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

/// How deep nested values are followed; deeper, a value is compared whole.
/// Front matter is at most 64 brackets deep (`yaml::MAX_FLOW_DEPTH`).
const MAX_NESTING: usize = 8;

fn compare(
    path: String,
    old: &Value,
    new: &Value,
    out: &mut BTreeMap<String, FieldChange>,
    depth: usize,
) {
    if old == new {
        return;
    }
    let nested = depth < MAX_NESTING;
    match (old, new) {
        (Value::Object(a), Value::Object(b)) if nested => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                compare(
                    format!("{path}.{key}"),
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                    out,
                    depth + 1,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) if nested && a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(format!("{path}[{}]", i + 1), x, y, out, depth + 1);
            }
        }
        _ => {
            out.insert(
                path,
                FieldChange {
                    old: old.clone(),
                    new: new.clone(),
                },
            );
        }
    }
}

/// The front-matter key a field path (`success.target`, `key_results[2]`) starts with.
pub fn top_field(path: &str) -> &str {
    path.split(['.', '[']).next().unwrap_or(path)
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
    fn nested_fields_are_compared_field_by_field() {
        let old = serde_json::json!({
            "title": "A",
            "success": {"metric": "m-x", "baseline": 10, "target": 40},
            "key_results": [{"target": 1}, {"target": 2}],
            "tags": ["a"],
            "reviewed_against": {"ps": "1"}
        });
        let new = serde_json::json!({
            "title": "A",
            "success": {"metric": "m-x", "baseline": 10, "target": 45},
            "key_results": [{"target": 1}, {"target": 3}],
            "tags": ["a", "b"],
            "reviewed_against": {"ps": "2"}
        });
        let (Value::Object(old), Value::Object(new)) = (old, new) else {
            unreachable!("objects")
        };
        let change = front_matter_change(&old, &new);
        let read: Vec<String> = change
            .fields
            .iter()
            .map(|(k, c)| format!("{k}: {} → {}", c.old, c.new))
            .collect();
        assert_eq!(
            read,
            [
                "key_results[2].target: 2 → 3",
                "success.target: 40 → 45",
                r#"tags: ["a"] → ["a","b"]"#,
            ]
        );
        assert_eq!(top_field("key_results[2].target"), "key_results");
        assert_eq!(top_field("success.target"), "success");
    }

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
