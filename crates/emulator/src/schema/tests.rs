//! The schema rules: unit tests and a property test that states the rules again, independently,
//! and compares accept/refuse on random schema changes and random profiles.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::{Kind, ProfileSchema, check_profile, schema_id_of_type, type_of_schema_id};
use crate::store::{DEFAULT_USER_SCHEMA, DEFAULT_USER_TYPE};

#[test]
fn schema_ids_and_type_ids_map_both_ways() {
    assert_eq!(schema_id_of_type(DEFAULT_USER_TYPE), DEFAULT_USER_SCHEMA);
    assert_eq!(schema_id_of_type("otyAbc"), "oscAbc");
    assert_eq!(type_of_schema_id("oscAbc").as_deref(), Some("otyAbc"));
    assert_eq!(
        type_of_schema_id("default").as_deref(),
        Some(DEFAULT_USER_TYPE)
    );
    assert_eq!(type_of_schema_id("osc"), None);
    assert_eq!(type_of_schema_id("nope"), None);
}

#[test]
fn a_refused_update_changes_nothing() {
    let mut s = ProfileSchema::user_template(0);
    let body = json!({"definitions": {"custom": {"properties": {
        "good": {"title": "Good", "type": "string"},
        "bad": {"title": "Bad", "type": "object"},
    }}}});
    assert!(s.apply(&body, 5).is_err());
    assert!(s.custom.is_empty());
    assert_eq!(s.last_updated, 0);
}

#[test]
fn group_properties_get_a_profile_master() {
    let mut s = ProfileSchema::group_template(0);
    let body =
        json!({"definitions": {"custom": {"properties": {"x": {"title": "X", "type": "string"}}}}});
    assert!(s.apply(&body, 1).is_ok());
    assert_eq!(s.custom["x"]["master"], json!({"type": "PROFILE_MASTER"}));
    assert_eq!(s.kind, Kind::Group);
}

/// An independent statement of a custom property.
#[derive(Debug, Clone)]
struct Spec {
    ty: &'static str,
    item: Option<&'static str>,
    allowed: Option<Vec<Value>>,
    min: Option<u64>,
    max: Option<u64>,
    required: bool,
}

impl Spec {
    fn definition(&self) -> Value {
        let mut d = json!({"title": "T", "type": self.ty});
        if let Some(i) = self.item {
            d["items"] = json!({"type": i});
        }
        if let Some(a) = &self.allowed {
            d["enum"] = json!(a);
        }
        if let Some(n) = self.min {
            d["minLength"] = json!(n);
        }
        if let Some(n) = self.max {
            d["maxLength"] = json!(n);
        }
        if self.required {
            d["required"] = json!(true);
        }
        d
    }

    fn scalar_ok(&self, ty: &str, v: &Value) -> bool {
        let typed = match ty {
            "string" => v.is_string(),
            "integer" => v.as_i64().is_some() || v.as_u64().is_some(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => false,
        };
        let listed = self.allowed.as_ref().is_none_or(|a| {
            a.iter()
                .any(|x| x == v || (x.as_f64().is_some() && x.as_f64() == v.as_f64()))
        });
        let len = v.as_str().map(|s| s.chars().count() as u64);
        let long_enough = match (len, self.min) {
            (Some(n), Some(m)) => n >= m,
            _ => true,
        };
        let short_enough = match (len, self.max) {
            (Some(n), Some(m)) => n <= m,
            _ => true,
        };
        typed && listed && long_enough && short_enough
    }

    fn accepts(&self, v: &Value) -> bool {
        match (self.ty, v) {
            (_, Value::Null) => !self.required,
            ("array", Value::Array(items)) => {
                let item = self.item.unwrap_or("string");
                items.iter().all(|x| self.scalar_ok(item, x))
            }
            ("array", _) => false,
            (ty, v) => self.scalar_ok(ty, v),
        }
    }

    /// Whether Okta accepts this definition at all.
    fn valid(&self) -> bool {
        let scalar = self.item.unwrap_or(self.ty);
        let lengths_ok = (self.min.is_none() && self.max.is_none()) || scalar == "string";
        let order_ok = match (self.min, self.max) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
        let enum_ok = self.allowed.as_ref().is_none_or(|a| {
            !a.is_empty()
                && a.iter().all(|v| {
                    Spec {
                        allowed: None,
                        min: None,
                        max: None,
                        ..self.clone()
                    }
                    .scalar_ok(scalar, v)
                })
        });
        lengths_ok && order_ok && enum_ok
    }
}

const NAMES: &[&str] = &["alpha", "beta", "gamma", "delta"];

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        "[a-c]{0,4}".prop_map(Value::from),
        (-3i64..4).prop_map(Value::from),
        Just(json!(1.5)),
        any::<bool>().prop_map(Value::from),
        prop::collection::vec(
            prop_oneof![
                "[a-c]{0,3}".prop_map(Value::from),
                (0i64..3).prop_map(Value::from)
            ],
            0..3
        )
        .prop_map(Value::from),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let ty = prop::sample::select(vec!["string", "integer", "number", "boolean", "array"]);
    let item = prop::sample::select(vec!["string", "integer", "number", "boolean"]);
    let allowed = prop::option::of(prop::collection::vec(
        prop_oneof![
            "[a-c]{1,2}".prop_map(Value::from),
            (0i64..3).prop_map(Value::from)
        ],
        0..3,
    ));
    (
        ty,
        item,
        allowed,
        prop::option::of(0u64..3),
        prop::option::of(0u64..4),
        any::<bool>(),
    )
        .prop_map(|(ty, item, allowed, min, max, required)| Spec {
            ty,
            item: (ty == "array").then_some(item),
            allowed,
            min,
            max,
            required,
        })
}

#[derive(Debug, Clone)]
enum Change {
    Put(usize, Spec),
    Remove(usize),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        3 => (0..NAMES.len(), spec()).prop_map(|(i, s)| Change::Put(i, s)),
        1 => (0..NAMES.len()).prop_map(Change::Remove),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn accept_and_refuse_follow_the_schema_rules(
        changes in prop::collection::vec(change(), 1..6),
        profiles in prop::collection::vec(
            prop::collection::vec((prop::sample::select(vec!["alpha", "beta", "gamma", "delta", "omega"]), value()), 0..4),
            1..6),
    ) {
        let mut schema = ProfileSchema::user_template(0);
        let mut model: Vec<(&str, Spec)> = Vec::new();
        for c in &changes {
            match c {
                Change::Put(i, s) => {
                    let name = NAMES[*i];
                    let body = json!({"definitions": {"custom": {"properties": {name: s.definition()}}}});
                    let old = model.iter().position(|(n, _)| *n == name);
                    let type_kept = old.is_none_or(|o| model[o].1.ty == s.ty && model[o].1.item == s.item);
                    let expect_ok = s.valid() && type_kept;
                    let got = schema.apply(&body, 1);
                    prop_assert_eq!(got.is_ok(), expect_ok, "{:?} {:?}", s, got);
                    if expect_ok {
                        match old {
                            Some(o) => model[o].1 = s.clone(),
                            None => model.push((name, s.clone())),
                        }
                    }
                }
                Change::Remove(i) => {
                    let name = NAMES[*i];
                    let body = json!({"definitions": {"custom": {"properties": {name: null}}}});
                    prop_assert!(schema.apply(&body, 1).is_ok());
                    model.retain(|(n, _)| *n != name);
                }
            }
        }
        for entries in &profiles {
            let mut profile: Map<String, Value> = Map::new();
            profile.insert("login".into(), json!("a@example.com"));
            for (k, v) in entries {
                profile.insert((*k).to_owned(), v.clone());
            }
            let defined = |k: &str| model.iter().find(|(n, _)| *n == k).map(|(_, s)| s);
            let values_ok = profile.iter().all(|(k, v)| {
                k == "login" || defined(k).is_some_and(|s| s.accepts(v))
            });
            let required_ok = model
                .iter()
                .all(|(n, s)| !s.required || profile.get(*n).is_some_and(|v| !v.is_null()));
            let got = check_profile(&schema, &profile);
            prop_assert_eq!(got.is_ok(), values_ok && required_ok, "{:?} {:?} {:?}", model, profile, got);
        }
    }
}
