//! User schema extensions: linked-object definitions and custom user types.

use serde_json::Value;

/// A linked-object definition (`primary`/`associated` as sent, validated).
#[derive(Debug, Clone)]
pub(crate) struct LinkedDef {
    pub primary: Value,
    pub associated: Value,
    pub primary_name: String,
    pub associated_name: String,
}

/// A custom user type.
#[derive(Debug, Clone)]
pub(crate) struct UserType {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub created: i64,
    pub last_updated: i64,
}

use serde_json::Map;

use super::{DEFAULT_USER_TYPE, Org};
use crate::schema::{ProfileSchema, SchemaError, check::same_value, check_profile};

impl Org {
    /// The profile schema of a user type (the default type's for an unknown type).
    pub(crate) fn user_schema(&self, type_id: &str) -> &ProfileSchema {
        self.user_schemas
            .get(type_id)
            .or_else(|| self.user_schemas.get(DEFAULT_USER_TYPE))
            .unwrap_or(&self.group_schema)
    }

    /// Checks a user profile a write would leave against its type's schema, uniqueness
    /// included (`me`: the user written, whose own values don't clash).
    ///
    /// Unique values share one namespace across the user types that declare the property
    /// unique (spec "Unique Attributes"); values compare exactly \[unconfirmed: Okta does not
    /// say whether string comparison ignores case].
    pub(crate) fn check_user_profile(
        &self,
        type_id: &str,
        me: Option<u64>,
        profile: &Map<String, Value>,
    ) -> Result<(), SchemaError> {
        let schema = self.user_schema(type_id);
        check_profile(schema, profile)?;
        for name in schema.unique_names() {
            let Some(v) = profile.get(name).filter(|v| !v.is_null()) else {
                continue;
            };
            let clash = self.users.values().any(|u| {
                Some(u.seq) != me
                    && u.profile.get(name).is_some_and(|o| same_value(o, v))
                    && self.user_schema(&u.type_id).is_unique(name)
            });
            if clash {
                return Err(unique_clash(name));
            }
        }
        Ok(())
    }

    /// Checks a group profile against the group schema, uniqueness included.
    pub(crate) fn check_group_profile(
        &self,
        me: Option<u64>,
        profile: &Map<String, Value>,
    ) -> Result<(), SchemaError> {
        check_profile(&self.group_schema, profile)?;
        for name in self.group_schema.unique_names() {
            let Some(v) = profile.get(name).filter(|v| !v.is_null()) else {
                continue;
            };
            if self
                .groups
                .values()
                .any(|g| Some(g.seq) != me && g.profile.get(name).is_some_and(|o| same_value(o, v)))
            {
                return Err(unique_clash(name));
            }
        }
        Ok(())
    }

    /// Whether two users of a type (or two groups, `type_id` `None`) hold one value of `name`.
    pub(crate) fn has_duplicate_values(&self, type_id: Option<&str>, name: &str) -> bool {
        let mut seen: Vec<&Value> = Vec::new();
        let values: Box<dyn Iterator<Item = &Value>> = match type_id {
            Some(t) => Box::new(
                self.users
                    .values()
                    .filter(move |u| u.type_id == t)
                    .filter_map(move |u| u.profile.get(name)),
            ),
            None => Box::new(
                self.groups
                    .values()
                    .filter_map(move |g| g.profile.get(name)),
            ),
        };
        for v in values.filter(|v| !v.is_null()) {
            if seen.iter().any(|s| same_value(s, v)) {
                return true;
            }
            seen.push(v);
        }
        false
    }

    /// Removes the values of deleted custom properties from the profiles of a user type (or
    /// of every group, `type_id` `None`), as Okta does when a property leaves the schema.
    pub(crate) fn drop_profile_values(&mut self, type_id: Option<&str>, names: &[String]) {
        if names.is_empty() {
            return;
        }
        match type_id {
            Some(t) => {
                let seqs: Vec<u64> = self
                    .users
                    .values()
                    .filter(|u| u.type_id == t && names.iter().any(|n| u.profile.contains_key(n)))
                    .map(|u| u.seq)
                    .collect();
                for seq in seqs {
                    if let Some(u) = self.user_mut(seq) {
                        for n in names {
                            u.profile.shift_remove(n);
                        }
                    }
                }
            }
            None => {
                let seqs: Vec<u64> = self
                    .groups
                    .values()
                    .filter(|g| names.iter().any(|n| g.profile.contains_key(n)))
                    .map(|g| g.seq)
                    .collect();
                for seq in seqs {
                    if let Some(g) = self.group_mut(seq) {
                        for n in names {
                            g.profile.shift_remove(n);
                        }
                    }
                }
            }
        }
    }
}

fn unique_clash(name: &str) -> SchemaError {
    SchemaError::one(
        name,
        format!("{name}: An object with this field already exists in the current organization"),
    )
}
