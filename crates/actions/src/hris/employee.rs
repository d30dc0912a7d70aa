//! The `Employee` model and its mapping from an Okta user.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Employment status in the unified model, derived from Okta's user status.
///
/// | Okta status | Employment status | Why |
/// |---|---|---|
/// | `ACTIVE`, `PASSWORD_EXPIRED`, `LOCKED_OUT`, `RECOVERY` | `active` | employed; the account is usable or only needs a credential fix |
/// | `SUSPENDED` | `inactive` | still employed (leave, investigation) but blocked from signing in |
/// | `STAGED`, `PROVISIONED` | `pending` | created, not yet started (activation not completed) |
/// | `DEPROVISIONED` | `terminated` | deactivated: offboarded |
/// | anything else | `unknown` | a status Okta may add later; the raw value stays in `okta_status` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentStatus {
    /// Employed and able to work.
    Active,
    /// Employed but suspended.
    Inactive,
    /// Hired, not yet started.
    Pending,
    /// No longer employed.
    Terminated,
    /// Okta reported a status Spindle does not know.
    Unknown,
}

impl EmploymentStatus {
    /// The employment status of an Okta user status.
    pub fn from_okta(status: &str) -> Self {
        match status {
            "ACTIVE" | "PASSWORD_EXPIRED" | "LOCKED_OUT" | "RECOVERY" => Self::Active,
            "SUSPENDED" => Self::Inactive,
            "STAGED" | "PROVISIONED" => Self::Pending,
            "DEPROVISIONED" => Self::Terminated,
            _ => Self::Unknown,
        }
    }

    /// The Okta statuses that map to this employment status (empty for `unknown`).
    pub fn okta_statuses(self) -> &'static [&'static str] {
        match self {
            Self::Active => &["ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY"],
            Self::Inactive => &["SUSPENDED"],
            Self::Pending => &["STAGED", "PROVISIONED"],
            Self::Terminated => &["DEPROVISIONED"],
            Self::Unknown => &[],
        }
    }
}

/// Kind of phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhoneType {
    /// Mobile phone (Okta: `profile.mobilePhone`).
    Mobile,
    /// Work or primary phone (Okta: `profile.primaryPhone`).
    Work,
}

/// A phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Phone {
    /// Kind of number.
    #[serde(rename = "type")]
    pub phone_type: PhoneType,
    /// The number as stored in Okta.
    pub number: String,
}

/// The employee's manager.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Manager {
    /// Okta: `profile.managerId`.
    pub id: Option<String>,
    /// Okta: `profile.managerEmail`, or `profile.manager` when it holds an email address.
    pub email: Option<String>,
    /// Okta: `profile.manager` when it holds a name (Okta documents it as the manager's
    /// display name).
    pub name: Option<String>,
}

/// The employee's work location.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Location {
    /// Okta: `profile.streetAddress`.
    pub street: Option<String>,
    /// Okta: `profile.city`.
    pub city: Option<String>,
    /// Okta: `profile.state`.
    pub state: Option<String>,
    /// Okta: `profile.zipCode`.
    pub postal_code: Option<String>,
    /// Okta: `profile.countryCode` (ISO 3166-1 alpha-2).
    pub country: Option<String>,
}

/// An employee, in the unified HRIS model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Employee {
    /// Okta: `id`.
    pub id: String,
    /// Okta: `profile.employeeNumber`.
    pub employee_number: Option<String>,
    /// Okta: `profile.login`.
    pub username: Option<String>,
    /// Okta: `profile.firstName`.
    pub first_name: Option<String>,
    /// Okta: `profile.lastName`.
    pub last_name: Option<String>,
    /// Okta: `profile.displayName`, else first and last name joined.
    pub display_name: Option<String>,
    /// Okta: `profile.email`.
    pub work_email: Option<String>,
    /// Okta: `profile.secondEmail`.
    pub personal_email: Option<String>,
    /// Okta: `profile.mobilePhone` (mobile) and `profile.primaryPhone` (work), those present.
    pub phones: Vec<Phone>,
    /// Derived from Okta's `status` (see [`EmploymentStatus`]).
    pub employment_status: EmploymentStatus,
    /// Okta: `status`, as Okta reported it.
    pub okta_status: Option<String>,
    /// Okta: `profile.title`.
    pub title: Option<String>,
    /// Okta: `profile.department`.
    pub department: Option<String>,
    /// Okta: `profile.division`.
    pub division: Option<String>,
    /// Okta: `profile.costCenter`.
    pub cost_center: Option<String>,
    /// Okta: `profile.organization`.
    pub organization: Option<String>,
    /// Okta: `profile.managerId`, `profile.managerEmail`, `profile.manager`; absent when none is set.
    pub manager: Option<Manager>,
    /// Okta: `profile.streetAddress`, `city`, `state`, `zipCode`, `countryCode`; absent when none
    /// is set.
    pub location: Option<Location>,
    /// Okta: the first of the profile attributes `startDate`, `hireDate`, `employeeStartDate`
    /// that is set (as stored), else `activated`.
    pub start_date: Option<String>,
    /// Okta: the profile attribute `terminationDate` or `endDate` if set, else `statusChanged`
    /// when the user is `DEPROVISIONED`.
    pub termination_date: Option<String>,
    /// Okta: `created`.
    pub created_at: Option<String>,
    /// Okta: `lastUpdated`.
    pub updated_at: Option<String>,
    /// Okta: the profile's custom attributes (those outside Okta's base user schema and not
    /// mapped above), non-null values only.
    pub custom_fields: Map<String, Value>,
    /// The Okta user exactly as Okta returned it.
    pub raw: Value,
}

/// Why an Okta user could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// The JSON is not an object.
    #[error("an Okta user must be a JSON object")]
    NotAnObject,
    /// The user has no string `id`.
    #[error("the Okta user has no `id`")]
    MissingId,
}

/// Profile attributes consumed by the mapping.
const MAPPED: &[&str] = &[
    "employeeNumber",
    "login",
    "firstName",
    "lastName",
    "displayName",
    "email",
    "secondEmail",
    "mobilePhone",
    "primaryPhone",
    "title",
    "department",
    "division",
    "costCenter",
    "organization",
    "managerId",
    "manager",
    "managerEmail",
    "streetAddress",
    "city",
    "state",
    "zipCode",
    "countryCode",
    "startDate",
    "hireDate",
    "employeeStartDate",
    "terminationDate",
    "endDate",
];

/// Okta's base user schema attributes that the model does not map (still in `raw`).
const BASE_UNMAPPED: &[&str] = &[
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
    "nickName",
    "profileUrl",
    "userType",
    "postalAddress",
    "preferredLanguage",
    "locale",
    "timezone",
];

const START_DATE_KEYS: &[&str] = &["startDate", "hireDate", "employeeStartDate"];
const END_DATE_KEYS: &[&str] = &["terminationDate", "endDate"];

/// A non-empty string at `key`; numbers are rendered (employee numbers are sometimes numeric).
fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Employee {
    /// Maps a raw Okta user (as returned by `GET /api/v1/users[/{id}]`) to an employee.
    ///
    /// Tolerant: any field may be missing or `null`, unknown statuses become `unknown`.
    ///
    /// # Errors
    ///
    /// When the JSON is not an object or has no string `id`.
    pub fn from_okta_user(user: &Value) -> Result<Self, MappingError> {
        let object = user.as_object().ok_or(MappingError::NotAnObject)?;
        let id = object
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .ok_or(MappingError::MissingId)?
            .to_owned();
        let empty = Map::new();
        let profile = object
            .get("profile")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let p = |key: &str| text(profile, key);
        let okta_status = text(object, "status");
        let employment_status = okta_status
            .as_deref()
            .map_or(EmploymentStatus::Unknown, EmploymentStatus::from_okta);

        let first_name = p("firstName");
        let last_name = p("lastName");
        let display_name = p("displayName").or_else(|| {
            let joined = [first_name.as_deref(), last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!joined.is_empty()).then_some(joined)
        });

        let mut phones = Vec::new();
        if let Some(number) = p("mobilePhone") {
            phones.push(Phone {
                phone_type: PhoneType::Mobile,
                number,
            });
        }
        if let Some(number) = p("primaryPhone") {
            phones.push(Phone {
                phone_type: PhoneType::Work,
                number,
            });
        }

        let manager_field = p("manager");
        let (manager_email_in_name, manager_name) = match manager_field {
            Some(m) if m.contains('@') => (Some(m), None),
            other => (None, other),
        };
        let manager = Manager {
            id: p("managerId"),
            email: p("managerEmail").or(manager_email_in_name),
            name: manager_name,
        };
        let manager = (manager != Manager::default()).then_some(manager);

        let location = Location {
            street: p("streetAddress"),
            city: p("city"),
            state: p("state"),
            postal_code: p("zipCode"),
            country: p("countryCode"),
        };
        let location = (location != Location::default()).then_some(location);

        let start_date = START_DATE_KEYS
            .iter()
            .find_map(|k| p(k))
            .or_else(|| text(object, "activated"));
        let termination_date = END_DATE_KEYS.iter().find_map(|k| p(k)).or_else(|| {
            (employment_status == EmploymentStatus::Terminated)
                .then(|| text(object, "statusChanged"))
                .flatten()
        });

        let custom_fields = profile
            .iter()
            .filter(|(k, v)| {
                !v.is_null()
                    && !MAPPED.contains(&k.as_str())
                    && !BASE_UNMAPPED.contains(&k.as_str())
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();

        Ok(Self {
            id,
            employee_number: p("employeeNumber"),
            username: p("login"),
            first_name,
            last_name,
            display_name,
            work_email: p("email"),
            personal_email: p("secondEmail"),
            phones,
            employment_status,
            okta_status,
            title: p("title"),
            department: p("department"),
            division: p("division"),
            cost_center: p("costCenter"),
            organization: p("organization"),
            manager,
            location,
            start_date,
            termination_date,
            created_at: text(object, "created"),
            updated_at: text(object, "lastUpdated"),
            custom_fields,
            raw: user.clone(),
        })
    }
}
