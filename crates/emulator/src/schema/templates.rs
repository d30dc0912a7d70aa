//! Okta's default profile templates: the base properties of a new org's user and group schemas.

use serde_json::{Map, Value, json};

/// `(name, title, required, format, minLength, maxLength, self permission)` of the user base
/// properties, in Okta's order.
type BaseRow = (
    &'static str,
    &'static str,
    bool,
    Option<&'static str>,
    Option<u64>,
    Option<u64>,
    &'static str,
);

const USER_BASE: &[BaseRow] = &[
    (
        "login",
        "Username",
        true,
        None,
        Some(5),
        Some(100),
        "READ_ONLY",
    ),
    (
        "firstName",
        "First name",
        true,
        None,
        Some(1),
        Some(50),
        "READ_WRITE",
    ),
    (
        "lastName",
        "Last name",
        true,
        None,
        Some(1),
        Some(50),
        "READ_WRITE",
    ),
    (
        "middleName",
        "Middle name",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    (
        "honorificPrefix",
        "Honorific prefix",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    (
        "honorificSuffix",
        "Honorific suffix",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    (
        "email",
        "Primary email",
        true,
        Some("email"),
        None,
        None,
        "READ_WRITE",
    ),
    ("title", "Title", false, None, None, None, "READ_ONLY"),
    (
        "displayName",
        "Display name",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    ("nickName", "Nickname", false, None, None, None, "READ_ONLY"),
    (
        "profileUrl",
        "Profile Url",
        false,
        Some("uri"),
        None,
        None,
        "READ_ONLY",
    ),
    (
        "secondEmail",
        "Secondary email",
        false,
        Some("email"),
        None,
        None,
        "READ_WRITE",
    ),
    (
        "mobilePhone",
        "Mobile phone",
        false,
        None,
        None,
        Some(100),
        "READ_WRITE",
    ),
    (
        "primaryPhone",
        "Primary phone",
        false,
        None,
        None,
        Some(100),
        "HIDE",
    ),
    (
        "streetAddress",
        "Street address",
        false,
        None,
        None,
        None,
        "HIDE",
    ),
    ("city", "City", false, None, None, None, "HIDE"),
    ("state", "State", false, None, None, None, "HIDE"),
    ("zipCode", "Zip code", false, None, None, None, "HIDE"),
    (
        "countryCode",
        "Country code",
        false,
        Some("country-code"),
        None,
        None,
        "HIDE",
    ),
    (
        "postalAddress",
        "Postal Address",
        false,
        None,
        None,
        None,
        "HIDE",
    ),
    (
        "preferredLanguage",
        "Preferred language",
        false,
        Some("language-code"),
        None,
        None,
        "READ_ONLY",
    ),
    (
        "locale",
        "Locale",
        false,
        Some("locale"),
        None,
        None,
        "READ_ONLY",
    ),
    (
        "timezone",
        "Time zone",
        false,
        Some("timezone"),
        None,
        None,
        "READ_ONLY",
    ),
    (
        "userType",
        "User type",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    (
        "employeeNumber",
        "Employee number",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    (
        "costCenter",
        "Cost center",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    (
        "organization",
        "Organization",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    ("division", "Division", false, None, None, None, "READ_ONLY"),
    (
        "department",
        "Department",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    (
        "managerId",
        "ManagerId",
        false,
        None,
        None,
        None,
        "READ_ONLY",
    ),
    ("manager", "Manager", false, None, None, None, "READ_ONLY"),
];

/// The user schema's base properties, keyed in Okta's order, each as Okta renders it.
pub(super) fn user_base() -> Map<String, Value> {
    USER_BASE
        .iter()
        .map(|&(name, title, required, format, min, max, perm)| {
            let mut p = Map::new();
            p.insert("title".into(), json!(title));
            p.insert("type".into(), json!("string"));
            if required {
                p.insert("required".into(), json!(true));
            }
            if let Some(f) = format {
                p.insert("format".into(), json!(f));
            }
            p.insert("mutability".into(), json!("READ_WRITE"));
            p.insert("scope".into(), json!("NONE"));
            if let Some(n) = min {
                p.insert("minLength".into(), json!(n));
            }
            if let Some(n) = max {
                p.insert("maxLength".into(), json!(n));
            }
            p.insert(
                "permissions".into(),
                json!([{"principal": "SELF", "action": perm}]),
            );
            (name.to_owned(), Value::Object(p))
        })
        .collect()
}

/// The group schema's base properties (`name`, `description`).
pub(super) fn group_base() -> Map<String, Value> {
    let prop = |title: &str, required: bool, max: u64| {
        let mut p = Map::new();
        p.insert("title".into(), json!(title));
        p.insert("description".into(), json!(title));
        p.insert("type".into(), json!("string"));
        if required {
            p.insert("required".into(), json!(true));
        }
        p.insert("mutability".into(), json!("READ_WRITE"));
        p.insert("scope".into(), json!("NONE"));
        p.insert("maxLength".into(), json!(max));
        p.insert(
            "permissions".into(),
            json!([{"principal": "SELF", "action": "READ_WRITE"}]),
        );
        p.insert("master".into(), json!({"type": "PROFILE_MASTER"}));
        Value::Object(p)
    };
    let mut m = Map::new();
    m.insert("name".into(), prop("Name", true, 255));
    m.insert("description".into(), prop("Description", false, 1024));
    m
}
