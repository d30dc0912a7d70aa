//! The typed input and output of every action, and the registry that ties them to the catalog.
//!
//! # Input convention
//!
//! An action's input is one JSON object:
//! - Okta's **path and query parameters** are top-level fields under Okta's exact names
//!   (`groupId`, `userIdOrLogin`, `sendEmail`, `limit`, `after`, ...);
//! - the **request body**, when Okta takes one, is the `body` field, shaped as Okta expects it.
//!
//! Unknown fields are rejected everywhere except inside user and group profiles, which carry the
//! org's custom attributes. Optional fields show Okta's default in the schema; leaving one out lets
//! Okta apply that default. The two unified-HRIS actions (`list_all_employees`,
//! `terminate_employee`) are Spindle's own and use the snake_case names of the `Employee` model.
//!
//! # Output convention
//!
//! An action outputs the Okta object it gets back; a list outputs a [`common::Page`]
//! (`{"items": [...], "next": "<cursor>"}`); a call Okta answers without a body outputs a result
//! from [`crate::models::results`].

pub mod aerial;
pub mod common;
pub mod credentials;
pub mod employees;
pub mod factors;
pub mod grants;
pub mod group_rules;
pub mod groups;
pub mod lifecycle;
pub mod linked_objects;
pub mod myaccount;
pub mod oauth_tokens;
pub mod user_resources;
pub mod user_types;
pub mod users;

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{LazyLock, OnceLock};

use jsonschema::Validator;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::schema::schema_for;
use crate::validate::{Problem, serde_problem};

/// One action's typed input. Implemented by the input type of every catalog entry.
pub trait Action: DeserializeOwned + Serialize + JsonSchema + Debug + Clone + Send + Sync {
    /// The catalog id of the action.
    const ID: &'static str;
    /// What the action outputs.
    type Output: Serialize + DeserializeOwned + JsonSchema;
    /// A realistic input, used in the docs and in tests (it always validates).
    fn example() -> Value;
    /// Rules the schema cannot express (e.g. "exactly one of `orgId` and `domain`"). An empty
    /// list means the input is acceptable.
    fn check(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// Implements [`Action`] for an input type.
macro_rules! action {
    ($ty:ty, $id:literal, $out:ty, $example:tt) => {
        impl $crate::actions::Action for $ty {
            const ID: &'static str = $id;
            type Output = $out;
            fn example() -> serde_json::Value {
                serde_json::json!($example)
            }
        }
    };
    ($ty:ty, $id:literal, $out:ty, $example:tt, check = $check:path) => {
        impl $crate::actions::Action for $ty {
            const ID: &'static str = $id;
            type Output = $out;
            fn example() -> serde_json::Value {
                serde_json::json!($example)
            }
            fn check(&self) -> Vec<$crate::validate::Problem> {
                $check(self)
            }
        }
    };
}
pub(crate) use action;

/// The registry's view of one action.
pub(crate) struct Entry {
    pub(crate) id: &'static str,
    pub(crate) input_schema: fn() -> Value,
    pub(crate) output_schema: fn() -> Value,
    pub(crate) example: fn() -> Value,
    pub(crate) parse: fn(&Value) -> Result<ValidInput, Vec<Problem>>,
}

fn parse<T: Action>(value: &Value) -> Result<T, Vec<Problem>> {
    let input: T = serde_path_to_error::deserialize(value).map_err(|e| vec![serde_problem(&e)])?;
    let problems = input.check();
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(problems)
    }
}

macro_rules! registry {
    ($($variant:ident => $ty:ty,)*) => {
        /// An input that passed validation, typed per action: what `execute` takes.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum ValidInput {
            $(
                #[doc = concat!("The input of `", stringify!($variant), "`.")]
                $variant($ty),
            )*
        }

        impl ValidInput {
            /// The catalog id of the action this input is for.
            pub fn action_id(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => <$ty as Action>::ID,)*
                }
            }

            /// Checks that `output` has the shape of this action's output type.
            pub(crate) fn check_output_shape(&self, output: &Value) -> Result<(), String> {
                match self {
                    $(Self::$variant(_) => serde_json::from_value::<<$ty as Action>::Output>(output.clone())
                        .map(|_| ())
                        .map_err(|e| e.to_string()),)*
                }
            }

            /// The input as JSON, defaults filled in.
            pub fn to_json(&self) -> Value {
                match self {
                    $(Self::$variant(input) => serde_json::to_value(input).unwrap_or(Value::Null),)*
                }
            }
        }

        pub(crate) static REGISTRY: &[Entry] = &[
            $(
                Entry {
                    id: <$ty as Action>::ID,
                    input_schema: schema_for::<$ty>,
                    output_schema: schema_for::<<$ty as Action>::Output>,
                    example: <$ty as Action>::example,
                    parse: |value| parse::<$ty>(value).map(ValidInput::$variant),
                },
            )*
        ];
    };
}

registry! {
    DeleteGroup => groups::DeleteGroup,
    DeleteUser => users::DeleteUser,
    DeleteGroupRule => group_rules::DeleteGroupRule,
    ClearLinkedObject => linked_objects::ClearLinkedObject,
    RevokeClientGrants => grants::RevokeClientGrants,
    RevokeClientRefreshTokens => oauth_tokens::RevokeClientRefreshTokens,
    RevokeUserGrants => grants::RevokeUserGrants,
    RevokeUserSessions => oauth_tokens::RevokeUserSessions,
    RevokeRefreshToken => oauth_tokens::RevokeRefreshToken,
    RevokeUserGrant => grants::RevokeUserGrant,
    UnassignUserFromGroup => groups::UnassignUserFromGroup,
    UnenrollFactor => factors::UnenrollFactor,
    DeleteUserType => user_types::DeleteUserType,
    GetOrgProducts => aerial::GetOrgProducts,
    GetFactorTransaction => factors::GetFactorTransaction,
    ListUserAppLinks => user_resources::ListUserAppLinks,
    ListGroupApps => groups::ListGroupApps,
    ListUserClients => oauth_tokens::ListUserClients,
    ListFactors => factors::ListFactors,
    ListClientGrants => grants::ListClientGrants,
    ListGroupRules => group_rules::ListGroupRules,
    ListUserGroups => user_resources::ListUserGroups,
    ListUserIdps => user_resources::ListUserIdps,
    ListGroupMembers => groups::ListGroupMembers,
    ListAerialOrgs => aerial::ListAerialOrgs,
    ListClientRefreshTokens => oauth_tokens::ListClientRefreshTokens,
    ListSupportedFactors => factors::ListSupportedFactors,
    ListSecurityQuestions => factors::ListSecurityQuestions,
    ListUserBlocks => user_resources::ListUserBlocks,
    ListUserGrants => grants::ListUserGrants,
    ListUserTypes => user_types::ListUserTypes,
    ListUsers => users::ListUsers,
    ListLinkedObjectValues => linked_objects::ListLinkedObjectValues,
    GetRefreshToken => oauth_tokens::GetRefreshToken,
    GetFactor => factors::GetFactor,
    GetGroup => groups::GetGroup,
    GetGroupRule => group_rules::GetGroupRule,
    GetUser => users::GetUser,
    GetUserGrant => grants::GetUserGrant,
    GetUserType => user_types::GetUserType,
    GetAerialOrg => aerial::GetAerialOrg,
    GetOrgDetails => myaccount::GetOrgDetails,
    ListEmployees => employees::ListEmployees,
    ActivateFactor => factors::ActivateFactor,
    ActivateGroupRule => group_rules::ActivateGroupRule,
    ActivateUser => lifecycle::ActivateUser,
    AddAerialOrg => aerial::AddAerialOrg,
    ChangePassword => credentials::ChangePassword,
    ChangeRecoveryQuestion => credentials::ChangeRecoveryQuestion,
    CreateGroup => groups::CreateGroup,
    CreateGroupRule => group_rules::CreateGroupRule,
    CreateUser => users::CreateUser,
    CreateUserType => user_types::CreateUserType,
    DeactivateGroupRule => group_rules::DeactivateGroupRule,
    DeactivateUser => lifecycle::DeactivateUser,
    EnrollFactor => factors::EnrollFactor,
    ExpirePassword => lifecycle::ExpirePassword,
    ExpirePasswordWithTemp => lifecycle::ExpirePasswordWithTemp,
    ResetPassword => lifecycle::ResetPassword,
    ForgotPassword => credentials::ForgotPassword,
    ReactivateUser => lifecycle::ReactivateUser,
    ResendFactorEnrollment => factors::ResendFactorEnrollment,
    ResetFactors => lifecycle::ResetFactors,
    RecoverPassword => credentials::RecoverPassword,
    SuspendUser => lifecycle::SuspendUser,
    UnlockUser => lifecycle::UnlockUser,
    UnsuspendUser => lifecycle::UnsuspendUser,
    UpdateUser => users::UpdateUser,
    UpdateUserType => user_types::UpdateUserType,
    VerifyFactor => factors::VerifyFactor,
    AssignUserToGroup => groups::AssignUserToGroup,
    SetAerialOrgStatus => aerial::SetAerialOrgStatus,
    ReplaceGroup => groups::ReplaceGroup,
    ReplaceGroupRule => group_rules::ReplaceGroupRule,
    ReplaceUser => users::ReplaceUser,
    SetLinkedObject => linked_objects::SetLinkedObject,
    ReplaceUserType => user_types::ReplaceUserType,
    SetOrgProducts => aerial::SetOrgProducts,
    TerminateEmployee => employees::TerminateEmployee,
}

/// The registry entry of `id`.
pub(crate) fn entry(id: &str) -> Option<&'static Entry> {
    REGISTRY.iter().find(|e| e.id == id)
}

/// The ids of every typed action, in registry order.
pub fn typed_ids() -> impl Iterator<Item = &'static str> {
    REGISTRY.iter().map(|e| e.id)
}

/// A compiled input schema, built once per action on first use.
pub(crate) struct Compiled {
    pub(crate) schema: Value,
    pub(crate) validator: Result<Validator, String>,
}

static COMPILED: LazyLock<HashMap<&'static str, OnceLock<Compiled>>> =
    LazyLock::new(|| REGISTRY.iter().map(|e| (e.id, OnceLock::new())).collect());

/// The compiled input schema of the registry entry `entry`.
pub(crate) fn compiled(entry: &'static Entry) -> Option<&'static Compiled> {
    let cell = COMPILED.get(entry.id)?;
    Some(cell.get_or_init(|| {
        let schema = (entry.input_schema)();
        let validator = crate::validate::validator(&schema);
        Compiled { schema, validator }
    }))
}
