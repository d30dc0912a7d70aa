//! The `Employee` model and its mapping from an Okta user.

use std::borrow::Cow;
use std::fmt;

use schemars::JsonSchema;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use spindle_okta::Raw;

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
    pub raw: Raw<Value>,
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

/// The parts of an Okta user the mapping reads, borrowed from its JSON text: the top-level
/// fields it maps and the profile's attributes, in order, each value still JSON text. Decoding
/// only these (not a value tree of the whole user) is what keeps the unified model cheap.
#[derive(Deserialize)]
struct UserView<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    #[serde(default, borrow)]
    status: Option<&'a RawValue>,
    #[serde(default, borrow)]
    created: Option<&'a RawValue>,
    #[serde(default, borrow)]
    activated: Option<&'a RawValue>,
    #[serde(default, borrow, rename = "statusChanged")]
    status_changed: Option<&'a RawValue>,
    #[serde(default, borrow, rename = "lastUpdated")]
    last_updated: Option<&'a RawValue>,
    #[serde(default, borrow)]
    profile: Option<Attributes<'a>>,
}

/// A JSON object's members in order, values as JSON text. Anything but an object (`null`, a
/// string...) reads as no members, as the mapping treats a profile that is not an object.
#[derive(Default)]
struct Attributes<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Attributes<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Members<'a> {
            type Value = Attributes<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(32));
                while let Some(member) = map.next_entry::<Cow<'de, str>, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Attributes(members))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Attributes::default())
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Attributes::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Attributes::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Attributes::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Attributes::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Attributes::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Attributes::default())
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                mut seq: S,
            ) -> Result<Self::Value, S::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Attributes::default())
            }
        }
        deserializer.deserialize_any(Members(std::marker::PhantomData))
    }
}

/// A non-empty string; numbers are rendered (employee numbers are sometimes numeric); anything
/// else is no value.
fn text(json: &RawValue) -> Option<String> {
    let text = json.get();
    match text.as_bytes().first()? {
        b'"' => serde_json::from_str::<Cow<'_, str>>(text)
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(Cow::into_owned),
        b'-' | b'0'..=b'9' => serde_json::from_str::<serde_json::Number>(text)
            .ok()
            .map(|n| n.to_string()),
        _ => None,
    }
}

impl UserView<'_> {
    fn text(&self, key: &str) -> Option<String> {
        let json = match key {
            "status" => self.status,
            "created" => self.created,
            "activated" => self.activated,
            "statusChanged" => self.status_changed,
            "lastUpdated" => self.last_updated,
            _ => None,
        };
        json.and_then(text)
    }

    fn profile(&self, key: &str) -> Option<String> {
        let members = &self.profile.as_ref()?.0;
        // The last of duplicate members wins, as in a decoded object.
        members
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| text(v))
    }

    /// The profile's custom attributes (not mapped, not Okta's base ones), non-null only.
    fn custom_fields(&self) -> Map<String, Value> {
        let Some(Attributes(members)) = &self.profile else {
            return Map::new();
        };
        let mut custom = Map::new();
        for (key, json) in members {
            if MAPPED.contains(&key.as_ref()) || BASE_UNMAPPED.contains(&key.as_ref()) {
                continue;
            }
            match serde_json::from_str::<Value>(json.get()) {
                Ok(Value::Null) | Err(_) => {
                    custom.remove(key.as_ref());
                }
                Ok(value) => {
                    custom.insert(key.clone().into_owned(), value);
                }
            }
        }
        custom
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
        let text = serde_json::value::to_raw_value(user).map_err(|_| MappingError::NotAnObject)?;
        Self::from_okta_raw(text)
    }

    /// [`from_okta_user`](Self::from_okta_user) for the user's JSON text (as Okta sent it): only
    /// the fields the model maps are decoded, and the text becomes `raw` as it is.
    ///
    /// # Errors
    ///
    /// As [`from_okta_user`](Self::from_okta_user).
    pub fn from_okta_raw(raw: Box<RawValue>) -> Result<Self, MappingError> {
        // Checked first: a derived struct would also read a JSON array, by position.
        if !raw.get().trim_start().starts_with('{') {
            return Err(MappingError::NotAnObject);
        }
        let user: UserView<'_> =
            serde_json::from_str(raw.get()).map_err(|_| MappingError::NotAnObject)?;
        let id = user
            .id
            .and_then(|id| serde_json::from_str::<Cow<'_, str>>(id.get()).ok())
            .filter(|id| !id.is_empty())
            .ok_or(MappingError::MissingId)?
            .into_owned();
        let p = |key: &str| user.profile(key);
        let okta_status = user.text("status");
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
            .or_else(|| user.text("activated"));
        let termination_date = END_DATE_KEYS.iter().find_map(|k| p(k)).or_else(|| {
            (employment_status == EmploymentStatus::Terminated)
                .then(|| user.text("statusChanged"))
                .flatten()
        });

        let custom_fields = user.custom_fields();

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
            created_at: user.text("created"),
            updated_at: user.text("lastUpdated"),
            custom_fields,
            raw: Raw::from_raw(raw),
        })
    }
}
