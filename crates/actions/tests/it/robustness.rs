//! Whatever JSON arrives, validation and the Employee mapping answer without panicking.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use spindle_actions::hris::Employee;
use spindle_actions::hris::query::okta_timestamp;
use spindle_actions::{catalog, validate_input};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("ACTIVE"),
            Just("sms"),
            Just("00u1"),
            Just("a@b.co"),
            Just("")
        ]
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("id".to_owned()),
            Just("body".to_owned()),
            Just("profile".to_owned()),
            Just("factorType".to_owned()),
            Just("status".to_owned()),
            Just("limit".to_owned()),
            Just("userId".to_owned()),
            Just("groupId".to_owned()),
            "[a-zA-Z_]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn validation_never_panics_and_always_explains(index in 0usize..79, input in json_value()) {
        let action = &catalog::all()[index % catalog::all().len()];
        // Half of the cases start from the valid example and add the random value as a field.
        for candidate in [input.clone(), {
            let mut example = action.example_input();
            example["body"] = input.clone();
            example
        }] {
            if let Err(error) = validate_input(action.id, &candidate) {
                prop_assert!(!error.problems().is_empty(), "{}: {error}", action.id);
                for problem in error.problems() {
                    prop_assert!(!problem.path.is_empty() && !problem.message.is_empty());
                }
            }
        }
    }

    #[test]
    fn employee_mapping_never_panics(user in json_value(), id in "[0-9a-zA-Z]{1,20}") {
        let _ = Employee::from_okta_user(&user);
        let mut with_id = user;
        if let Some(object) = with_id.as_object_mut() {
            object.insert("id".into(), json!(id));
            let employee = Employee::from_okta_user(&with_id);
            prop_assert!(employee.is_ok());
        }
    }

    #[test]
    fn timestamps_never_panic(text in "\\PC{0,30}") {
        let _ = okta_timestamp(&text);
    }
}
