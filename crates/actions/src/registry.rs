//! The registry: every action type, in the order of the use-case list, and what is derived from
//! that list — the catalog with each action's schemas, and [`ValidInput`], the typed input of any
//! action.
//!
//! Everything here is generated from the action definitions by one macro, so an action's schema
//! or parser cannot be missing: an action type that is not a complete [`Action`] does not compile.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use jsonschema::Validator;
use serde_json::Value;
use spindle_okta::Client;

use crate::action::Action;
use crate::actions::common::NonEmpty;
use crate::catalog::{ActionSpec, Spec};
use crate::execute::ExecuteError;
use crate::schema::schema_for;
use crate::validate::{Problem, serde_problem};

/// What the catalog knows of an action's types.
pub(crate) struct Typed {
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

fn output_json<T: serde::Serialize>(output: T) -> Result<Value, ExecuteError> {
    serde_json::to_value(output).map_err(|e| ExecuteError::Output(e.to_string()))
}

macro_rules! registry {
    ($($variant:ident => $ty:ty,)*) => {
        /// An input that passed validation, typed per action: what [`crate::execute()`] takes.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum ValidInput {
            $(
                #[doc = concat!("The input of `", stringify!($variant), "`.")]
                $variant($ty),
            )*
        }

        impl ValidInput {
            /// The action this input is for.
            pub fn spec(&self) -> &'static Spec {
                match self {
                    $(Self::$variant(_) => &<$ty as Action>::SPEC,)*
                }
            }

            /// The catalog id of the action this input is for.
            pub fn action_id(&self) -> &'static str {
                self.spec().id
            }

            /// The input as JSON, defaults filled in.
            pub fn to_json(&self) -> Value {
                match self {
                    $(Self::$variant(input) => serde_json::to_value(input).unwrap_or(Value::Null),)*
                }
            }

            /// For a list: continues from the cursor `next`; `false` for other actions.
            pub fn set_cursor(&mut self, next: NonEmpty) -> bool {
                match self {
                    $(Self::$variant(input) => input.set_cursor(next),)*
                }
            }

            /// Runs the action with the client of its Okta API and returns its output as JSON.
            pub(crate) async fn run(self, client: &Client) -> Result<Value, ExecuteError> {
                match self {
                    $(Self::$variant(input) => output_json(input.run(client).await?),)*
                }
            }
        }

        const COUNT: usize = [$(stringify!($variant),)*].len();

        /// Every action, in the order of the use-case list.
        pub(crate) static CATALOG: [ActionSpec; COUNT] = [
            $(
                ActionSpec::new(<$ty as Action>::SPEC, Typed {
                    input_schema: schema_for::<$ty>,
                    output_schema: schema_for::<<$ty as Action>::Output>,
                    example: <$ty as Action>::example,
                    parse: |value| parse::<$ty>(value).map(ValidInput::$variant),
                }),
            )*
        ];
    };
}

registry! {
    DeleteGroup => crate::actions::groups::DeleteGroup,
    // TODO(convert) DeleteUser => crate::actions::users::DeleteUser,
    // TODO(convert) DeleteGroupRule => crate::actions::group_rules::DeleteGroupRule,
    ClearLinkedObject => crate::actions::linked_objects::ClearLinkedObject,
    // TODO(convert) RevokeClientGrants => crate::actions::grants::RevokeClientGrants,
    // TODO(convert) RevokeClientRefreshTokens => crate::actions::oauth_tokens::RevokeClientRefreshTokens,
    // TODO(convert) RevokeUserGrants => crate::actions::grants::RevokeUserGrants,
    // TODO(convert) RevokeUserSessions => crate::actions::oauth_tokens::RevokeUserSessions,
    // TODO(convert) RevokeRefreshToken => crate::actions::oauth_tokens::RevokeRefreshToken,
    // TODO(convert) RevokeUserGrant => crate::actions::grants::RevokeUserGrant,
    UnassignUserFromGroup => crate::actions::groups::UnassignUserFromGroup,
    UnenrollFactor => crate::actions::factors::UnenrollFactor,
    DeleteUserType => crate::actions::user_types::DeleteUserType,
    GetOrgProducts => crate::actions::aerial::GetOrgProducts,
    GetFactorTransaction => crate::actions::factors::GetFactorTransaction,
    // TODO(convert) ListUserAppLinks => crate::actions::user_resources::ListUserAppLinks,
    ListGroupApps => crate::actions::groups::ListGroupApps,
    // TODO(convert) ListUserClients => crate::actions::oauth_tokens::ListUserClients,
    ListFactors => crate::actions::factors::ListFactors,
    // TODO(convert) ListClientGrants => crate::actions::grants::ListClientGrants,
    // TODO(convert) ListGroupRules => crate::actions::group_rules::ListGroupRules,
    // TODO(convert) ListUserGroups => crate::actions::user_resources::ListUserGroups,
    // TODO(convert) ListUserIdps => crate::actions::user_resources::ListUserIdps,
    ListGroupMembers => crate::actions::groups::ListGroupMembers,
    ListAerialOrgs => crate::actions::aerial::ListAerialOrgs,
    // TODO(convert) ListClientRefreshTokens => crate::actions::oauth_tokens::ListClientRefreshTokens,
    ListSupportedFactors => crate::actions::factors::ListSupportedFactors,
    ListSecurityQuestions => crate::actions::factors::ListSecurityQuestions,
    // TODO(convert) ListUserBlocks => crate::actions::user_resources::ListUserBlocks,
    // TODO(convert) ListUserGrants => crate::actions::grants::ListUserGrants,
    ListUserTypes => crate::actions::user_types::ListUserTypes,
    // TODO(convert) ListUsers => crate::actions::users::ListUsers,
    ListLinkedObjectValues => crate::actions::linked_objects::ListLinkedObjectValues,
    // TODO(convert) GetRefreshToken => crate::actions::oauth_tokens::GetRefreshToken,
    GetFactor => crate::actions::factors::GetFactor,
    GetGroup => crate::actions::groups::GetGroup,
    // TODO(convert) GetGroupRule => crate::actions::group_rules::GetGroupRule,
    // TODO(convert) GetUser => crate::actions::users::GetUser,
    // TODO(convert) GetUserGrant => crate::actions::grants::GetUserGrant,
    GetUserType => crate::actions::user_types::GetUserType,
    GetAerialOrg => crate::actions::aerial::GetAerialOrg,
    GetOrgDetails => crate::actions::myaccount::GetOrgDetails,
    ListEmployees => crate::actions::employees::ListEmployees,
    ActivateFactor => crate::actions::factors::ActivateFactor,
    // TODO(convert) ActivateGroupRule => crate::actions::group_rules::ActivateGroupRule,
    // TODO(convert) ActivateUser => crate::actions::lifecycle::ActivateUser,
    AddAerialOrg => crate::actions::aerial::AddAerialOrg,
    // TODO(convert) ChangePassword => crate::actions::credentials::ChangePassword,
    // TODO(convert) ChangeRecoveryQuestion => crate::actions::credentials::ChangeRecoveryQuestion,
    CreateGroup => crate::actions::groups::CreateGroup,
    // TODO(convert) CreateGroupRule => crate::actions::group_rules::CreateGroupRule,
    // TODO(convert) CreateUser => crate::actions::users::CreateUser,
    CreateUserType => crate::actions::user_types::CreateUserType,
    // TODO(convert) DeactivateGroupRule => crate::actions::group_rules::DeactivateGroupRule,
    // TODO(convert) DeactivateUser => crate::actions::lifecycle::DeactivateUser,
    EnrollFactor => crate::actions::factors::EnrollFactor,
    // TODO(convert) ExpirePassword => crate::actions::lifecycle::ExpirePassword,
    // TODO(convert) ExpirePasswordWithTemp => crate::actions::lifecycle::ExpirePasswordWithTemp,
    // TODO(convert) ResetPassword => crate::actions::lifecycle::ResetPassword,
    // TODO(convert) ForgotPassword => crate::actions::credentials::ForgotPassword,
    // TODO(convert) ReactivateUser => crate::actions::lifecycle::ReactivateUser,
    ResendFactorEnrollment => crate::actions::factors::ResendFactorEnrollment,
    // TODO(convert) ResetFactors => crate::actions::lifecycle::ResetFactors,
    // TODO(convert) RecoverPassword => crate::actions::credentials::RecoverPassword,
    // TODO(convert) SuspendUser => crate::actions::lifecycle::SuspendUser,
    // TODO(convert) UnlockUser => crate::actions::lifecycle::UnlockUser,
    // TODO(convert) UnsuspendUser => crate::actions::lifecycle::UnsuspendUser,
    // TODO(convert) UpdateUser => crate::actions::users::UpdateUser,
    UpdateUserType => crate::actions::user_types::UpdateUserType,
    VerifyFactor => crate::actions::factors::VerifyFactor,
    AssignUserToGroup => crate::actions::groups::AssignUserToGroup,
    SetAerialOrgStatus => crate::actions::aerial::SetAerialOrgStatus,
    ReplaceGroup => crate::actions::groups::ReplaceGroup,
    // TODO(convert) ReplaceGroupRule => crate::actions::group_rules::ReplaceGroupRule,
    // TODO(convert) ReplaceUser => crate::actions::users::ReplaceUser,
    SetLinkedObject => crate::actions::linked_objects::SetLinkedObject,
    ReplaceUserType => crate::actions::user_types::ReplaceUserType,
    SetOrgProducts => crate::actions::aerial::SetOrgProducts,
    TerminateEmployee => crate::actions::employees::TerminateEmployee,
}

/// A compiled input schema, built once per action on first use.
pub(crate) struct Compiled {
    pub(crate) schema: Value,
    pub(crate) validator: Result<Validator, String>,
}

static COMPILED: LazyLock<HashMap<&'static str, OnceLock<Compiled>>> =
    LazyLock::new(|| CATALOG.iter().map(|e| (e.id, OnceLock::new())).collect());

/// The compiled input schema of `action`.
pub(crate) fn compiled(action: &'static ActionSpec) -> &'static Compiled {
    let cell = COMPILED
        .get(action.id)
        .expect("every catalog action has a cell");
    cell.get_or_init(|| {
        let schema = action.input_schema();
        let validator = crate::validate::validator(&schema);
        Compiled { schema, validator }
    })
}
