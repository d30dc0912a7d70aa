//! The Employee mapping, on hand-written users and on every user Okta returned in the recorded
//! exchanges of `../shared`.

use serde_json::{Value, json};
use spindle_actions::hris::{Employee, EmploymentStatus, MappingError, PhoneType};
use spindle_okta::models::User;

use crate::shared;

fn hr_user() -> Value {
    json!({
        "id": "00u1f96ECLNVOKVMUSEA",
        "status": "DEPROVISIONED",
        "created": "2024-03-01T09:12:44.000Z",
        "activated": "2024-03-01T09:13:02.000Z",
        "statusChanged": "2026-06-30T17:00:00.000Z",
        "lastLogin": null,
        "lastUpdated": "2026-06-30T17:00:00.000Z",
        "passwordChanged": null,
        "type": {"id": "otyc04qb2rUDcq2YA4x6"},
        "profile": {
            "login": "ana.lima@example.com", "email": "ana.lima@example.com",
            "secondEmail": "ana.lima@gmail.example", "firstName": "Ana", "lastName": "Lima",
            "displayName": null, "mobilePhone": "+55 11 99999-0000", "primaryPhone": null,
            "title": "Account Executive", "department": "Sales", "division": "EMEA",
            "costCenter": "CC-204", "organization": "Example Corp", "employeeNumber": 4711,
            "managerId": "00u5t60iloOHN9pBi0h7", "manager": "bruno.costa@example.com",
            "streetAddress": "Av. Paulista 1000", "city": "São Paulo", "state": "SP",
            "zipCode": "01310-100", "countryCode": "BR", "locale": "pt_BR",
            "hireDate": "2024-03-04", "badgeColour": "blue", "shirtSize": null
        },
        "_links": {"self": {"href": "https://example.okta.com/api/v1/users/00u1f96ECLNVOKVMUSEA"}}
    })
}

#[test]
fn a_deprovisioned_hr_user_maps_to_a_terminated_employee() {
    let user = hr_user();
    let e = Employee::from_okta_user(&user).expect("maps");
    assert_eq!(e.id, "00u1f96ECLNVOKVMUSEA");
    assert_eq!(e.employment_status, EmploymentStatus::Terminated);
    assert_eq!(e.okta_status.as_deref(), Some("DEPROVISIONED"));
    assert_eq!(e.employee_number.as_deref(), Some("4711"));
    assert_eq!(e.display_name.as_deref(), Some("Ana Lima"));
    assert_eq!(e.work_email.as_deref(), Some("ana.lima@example.com"));
    assert_eq!(e.personal_email.as_deref(), Some("ana.lima@gmail.example"));
    assert_eq!(e.phones.len(), 1);
    assert_eq!(e.phones[0].phone_type, PhoneType::Mobile);
    let manager = e.manager.as_ref().expect("manager");
    assert_eq!(manager.id.as_deref(), Some("00u5t60iloOHN9pBi0h7"));
    assert_eq!(manager.email.as_deref(), Some("bruno.costa@example.com"));
    assert_eq!(manager.name, None);
    let location = e.location.as_ref().expect("location");
    assert_eq!(location.city.as_deref(), Some("São Paulo"));
    assert_eq!(location.postal_code.as_deref(), Some("01310-100"));
    assert_eq!(location.country.as_deref(), Some("BR"));
    // The HR start date wins over Okta's activation; termination is when Okta deprovisioned.
    assert_eq!(e.start_date.as_deref(), Some("2024-03-04"));
    assert_eq!(
        e.termination_date.as_deref(),
        Some("2026-06-30T17:00:00.000Z")
    );
    assert_eq!(e.created_at.as_deref(), Some("2024-03-01T09:12:44.000Z"));
    // Custom attributes only: not the mapped ones, not Okta's base ones (locale), not nulls.
    assert_eq!(
        e.custom_fields,
        json!({"badgeColour": "blue"}).as_object().cloned().unwrap()
    );
    assert_eq!(e.raw.parse().expect("JSON"), user);
}

#[test]
fn statuses_map_as_documented() {
    for (okta, expected) in [
        ("ACTIVE", EmploymentStatus::Active),
        ("PASSWORD_EXPIRED", EmploymentStatus::Active),
        ("LOCKED_OUT", EmploymentStatus::Active),
        ("RECOVERY", EmploymentStatus::Active),
        ("SUSPENDED", EmploymentStatus::Inactive),
        ("STAGED", EmploymentStatus::Pending),
        ("PROVISIONED", EmploymentStatus::Pending),
        ("DEPROVISIONED", EmploymentStatus::Terminated),
        ("HIBERNATING", EmploymentStatus::Unknown),
    ] {
        let e = Employee::from_okta_user(&json!({"id": "00u1", "status": okta})).unwrap();
        assert_eq!(e.employment_status, expected, "{okta}");
    }
}

#[test]
fn a_bare_user_maps_without_inventing_data() {
    let e = Employee::from_okta_user(&json!({"id": "00u1", "status": "ACTIVE", "activated": "2025-01-02T03:04:05.000Z", "profile": null})).unwrap();
    assert_eq!(e.start_date.as_deref(), Some("2025-01-02T03:04:05.000Z"));
    assert_eq!(
        e.termination_date, None,
        "an active user has no termination date"
    );
    assert!(e.manager.is_none() && e.location.is_none() && e.phones.is_empty());
    assert!(e.display_name.is_none() && e.custom_fields.is_empty());
    let named =
        Employee::from_okta_user(&json!({"id": "00u2", "profile": {"manager": "Bruno Costa"}}))
            .unwrap();
    assert_eq!(named.employment_status, EmploymentStatus::Unknown);
    assert_eq!(named.manager.unwrap().name.as_deref(), Some("Bruno Costa"));
}

#[test]
fn what_is_not_a_user_is_refused() {
    assert_eq!(
        Employee::from_okta_user(&json!([1])),
        Err(MappingError::NotAnObject)
    );
    assert_eq!(
        Employee::from_okta_user(&json!({"status": "ACTIVE"})),
        Err(MappingError::MissingId)
    );
    assert_eq!(
        Employee::from_okta_user(&json!({"id": 7})),
        Err(MappingError::MissingId)
    );
}

/// Every user object in the recorded responses of the user tests.
fn recorded_users() -> Option<Vec<Value>> {
    let dir = shared::dir().join("okta/recordings/okta-sdk-python/test_users_it");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        // Says that the recordings are missing (or fails under SPINDLE_NO_SKIP=1).
        shared::read(
            "okta/recordings/okta-sdk-python/test_users_it/TestUsersResource.test_activate_user.yaml",
        )?;
        return None;
    };
    let mut users = Vec::new();
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("readable recording");
        let cassette: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("YAML");
        let interactions = cassette["interactions"]
            .as_sequence()
            .cloned()
            .unwrap_or_default();
        for interaction in interactions {
            let Some(body) = interaction["response"]["body"]["string"].as_str() else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<Value>(body) else {
                continue;
            };
            let candidates = match json {
                Value::Array(items) => items,
                other => vec![other],
            };
            users.extend(candidates.into_iter().filter(|v| {
                v["id"].as_str().is_some_and(|id| id.starts_with("00u"))
                    && v.get("profile").is_some()
            }));
        }
    }
    Some(users)
}

#[test]
fn every_recorded_okta_user_maps_and_round_trips() {
    let Some(users) = recorded_users() else {
        return;
    };
    assert!(
        users.len() >= 20,
        "only {} recorded users found",
        users.len()
    );
    let mut statuses = std::collections::BTreeSet::new();
    for user in &users {
        let e = Employee::from_okta_user(user).unwrap_or_else(|err| panic!("{err}: {user}"));
        assert_eq!(e.id, user["id"]);
        assert_eq!(e.work_email.as_deref(), user["profile"]["email"].as_str());
        assert_eq!(
            e.first_name.as_deref(),
            user["profile"]["firstName"].as_str()
        );
        assert_ne!(
            e.employment_status,
            EmploymentStatus::Unknown,
            "{}",
            user["status"]
        );
        statuses.insert(user["status"].as_str().unwrap_or("").to_owned());
        // The output model of user actions loses nothing Okta sent.
        let typed: User = serde_json::from_value(user.clone()).expect("User model");
        let back = serde_json::to_value(&typed).unwrap();
        let without_nulls = |v: &Value| -> Value {
            let mut v = v.clone();
            if let Some(o) = v.as_object_mut() {
                o.retain(|_, x| !x.is_null());
            }
            v
        };
        assert_eq!(without_nulls(&back), without_nulls(user));
    }
    assert!(
        statuses.len() >= 3,
        "recordings cover few statuses: {statuses:?}"
    );
}
