//! The catalog against the use-case list it implements and the reference mapping to Okta's API.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use spindle_actions::catalog;

use crate::shared;

/// One use case as the seed list writes it.
#[derive(Debug, PartialEq, Eq)]
struct SeedEntry {
    title: String,
    operation: String,
    entities: Vec<String>,
}

/// Parses the seed list: each entry is a title line, an `ID` line, then `: <id>Operation`,
/// `: <kind>Entities` and `: <entities>Summary` lines.
fn parse_seed(text: &str) -> BTreeMap<String, SeedEntry> {
    let lines: Vec<&str> = text.lines().collect();
    let mut entries = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        if *line != "ID" || i == 0 || i + 3 >= lines.len() {
            continue;
        }
        let field = |n: usize, suffix: &str| {
            lines[i + n]
                .strip_prefix(": ")
                .and_then(|rest| rest.strip_suffix(suffix))
                .unwrap_or_else(|| panic!("seed line {}: unexpected {:?}", i + n + 1, lines[i + n]))
                .to_owned()
        };
        let id = field(1, "Operation");
        // `: writeEntities` names the operation kind: read, write or delete.
        let operation = field(2, "Entities");
        assert!(
            ["read", "write", "delete"].contains(&operation.as_str()),
            "seed entry {id}: unknown operation {operation}"
        );
        let entity_line = field(3, "Summary");
        let entry = SeedEntry {
            title: lines[i - 1].to_owned(),
            operation,
            entities: entity_line.split(", ").map(str::to_owned).collect(),
        };
        assert!(
            entries.insert(id.clone(), entry).is_none(),
            "seed repeats {id}"
        );
    }
    entries
}

#[test]
fn catalog_ids_titles_operations_and_entities_equal_the_seed() {
    let Some(text) = shared::read("seed/000_b942932b3c6d8b1c.txt") else {
        return;
    };
    let seed = parse_seed(&text);
    assert_eq!(seed.len(), 79, "the seed lists 79 use cases");

    let seed_ids: BTreeSet<&str> = seed.keys().map(String::as_str).collect();
    let catalog_ids: BTreeSet<&str> = catalog::all().iter().map(|a| a.id).collect();
    assert_eq!(
        catalog_ids,
        seed_ids,
        "catalog ids differ from the seed's: only in catalog {:?}, only in seed {:?}",
        catalog_ids.difference(&seed_ids).collect::<Vec<_>>(),
        seed_ids.difference(&catalog_ids).collect::<Vec<_>>()
    );

    for action in catalog::all() {
        let expected = &seed[action.id];
        let actual = SeedEntry {
            title: action.title.to_owned(),
            operation: action.operation.as_str().to_owned(),
            entities: action.entities.iter().map(|e| (*e).to_owned()).collect(),
        };
        assert_eq!(&actual, expected, "{}", action.id);
    }
}

#[test]
fn catalog_endpoints_and_scopes_equal_the_reference_mapping() {
    let Some(text) = shared::read("okta/use-cases.json") else {
        return;
    };
    let reference: Vec<Value> = serde_json::from_str(&text).expect("use-cases.json is JSON");
    assert_eq!(reference.len(), catalog::all().len());
    for case in &reference {
        let id = case["id"].as_str().expect("id");
        let action = catalog::get(id).unwrap_or_else(|| panic!("{id} missing from the catalog"));
        assert_eq!(action.method.as_str(), case["method"], "{id}: method");
        assert_eq!(action.path, case["path"], "{id}: path");
        assert_eq!(action.server.as_str(), case["server"], "{id}: server");
        let scopes: Vec<&str> = case["oauth_scopes"]
            .as_array()
            .expect("oauth_scopes")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(action.scopes, scopes.as_slice(), "{id}: scopes");
        let params: Vec<&str> = case["path_params"]
            .as_array()
            .expect("path_params")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(
            action.path_params().collect::<Vec<_>>(),
            params,
            "{id}: path parameters"
        );
    }
}
