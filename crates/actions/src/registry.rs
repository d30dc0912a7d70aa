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
use crate::output::{Encode, EncodeOne as _, EncodePage as _, Output};
use crate::schema::schema_for;
use crate::validate::{Problem, serde_problem};

/// What the catalog knows of an action's types.
pub(crate) struct Typed {
    pub(crate) input_schema: fn() -> Value,
    pub(crate) output_schema: fn() -> Value,
    pub(crate) shared_schemas: fn(&mut schemars::SchemaGenerator) -> (Value, Value),
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

            /// Runs the action with the client of its Okta API and returns its output, encoded.
            pub(crate) async fn run(self, client: &Client) -> Result<Output, ExecuteError> {
                match self {
                    $(Self::$variant(input) => Encode(input.run(client).await?).encode(),)*
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
                    shared_schemas: crate::schema::shared_schemas::<$ty>,
                    example: <$ty as Action>::example,
                    parse: |value| parse::<$ty>(value).map(ValidInput::$variant),
                }),
            )*
        ];
    };
}

registry! {
    DeleteGroup => crate::actions::groups::DeleteGroup,
    DeleteUser => crate::actions::users::DeleteUser,
    DeleteGroupRule => crate::actions::group_rules::DeleteGroupRule,
    ClearLinkedObject => crate::actions::linked_objects::ClearLinkedObject,
    RevokeClientGrants => crate::actions::grants::RevokeClientGrants,
    RevokeClientRefreshTokens => crate::actions::oauth_tokens::RevokeClientRefreshTokens,
    RevokeUserGrants => crate::actions::grants::RevokeUserGrants,
    RevokeUserSessions => crate::actions::oauth_tokens::RevokeUserSessions,
    RevokeRefreshToken => crate::actions::oauth_tokens::RevokeRefreshToken,
    RevokeUserGrant => crate::actions::grants::RevokeUserGrant,
    UnassignUserFromGroup => crate::actions::groups::UnassignUserFromGroup,
    UnenrollFactor => crate::actions::factors::UnenrollFactor,
    DeleteUserType => crate::actions::user_types::DeleteUserType,
    GetOrgProducts => crate::actions::aerial::GetOrgProducts,
    GetFactorTransaction => crate::actions::factors::GetFactorTransaction,
    ListUserAppLinks => crate::actions::user_resources::ListUserAppLinks,
    ListGroupApps => crate::actions::groups::ListGroupApps,
    ListUserClients => crate::actions::oauth_tokens::ListUserClients,
    ListFactors => crate::actions::factors::ListFactors,
    ListClientGrants => crate::actions::grants::ListClientGrants,
    ListGroupRules => crate::actions::group_rules::ListGroupRules,
    ListUserGroups => crate::actions::user_resources::ListUserGroups,
    ListUserIdps => crate::actions::user_resources::ListUserIdps,
    ListGroupMembers => crate::actions::groups::ListGroupMembers,
    ListAerialOrgs => crate::actions::aerial::ListAerialOrgs,
    ListClientRefreshTokens => crate::actions::oauth_tokens::ListClientRefreshTokens,
    ListSupportedFactors => crate::actions::factors::ListSupportedFactors,
    ListSecurityQuestions => crate::actions::factors::ListSecurityQuestions,
    ListUserBlocks => crate::actions::user_resources::ListUserBlocks,
    ListUserGrants => crate::actions::grants::ListUserGrants,
    ListUserTypes => crate::actions::user_types::ListUserTypes,
    ListUsers => crate::actions::users::ListUsers,
    ListLinkedObjectValues => crate::actions::linked_objects::ListLinkedObjectValues,
    GetRefreshToken => crate::actions::oauth_tokens::GetRefreshToken,
    GetFactor => crate::actions::factors::GetFactor,
    GetGroup => crate::actions::groups::GetGroup,
    GetGroupRule => crate::actions::group_rules::GetGroupRule,
    GetUser => crate::actions::users::GetUser,
    GetUserGrant => crate::actions::grants::GetUserGrant,
    GetUserType => crate::actions::user_types::GetUserType,
    GetAerialOrg => crate::actions::aerial::GetAerialOrg,
    GetOrgDetails => crate::actions::myaccount::GetOrgDetails,
    ListEmployees => crate::actions::employees::ListEmployees,
    ActivateFactor => crate::actions::factors::ActivateFactor,
    ActivateGroupRule => crate::actions::group_rules::ActivateGroupRule,
    ActivateUser => crate::actions::lifecycle::ActivateUser,
    AddAerialOrg => crate::actions::aerial::AddAerialOrg,
    ChangePassword => crate::actions::credentials::ChangePassword,
    ChangeRecoveryQuestion => crate::actions::credentials::ChangeRecoveryQuestion,
    CreateGroup => crate::actions::groups::CreateGroup,
    CreateGroupRule => crate::actions::group_rules::CreateGroupRule,
    CreateUser => crate::actions::users::CreateUser,
    CreateUserType => crate::actions::user_types::CreateUserType,
    DeactivateGroupRule => crate::actions::group_rules::DeactivateGroupRule,
    DeactivateUser => crate::actions::lifecycle::DeactivateUser,
    EnrollFactor => crate::actions::factors::EnrollFactor,
    ExpirePassword => crate::actions::lifecycle::ExpirePassword,
    ExpirePasswordWithTemp => crate::actions::lifecycle::ExpirePasswordWithTemp,
    ResetPassword => crate::actions::lifecycle::ResetPassword,
    ForgotPassword => crate::actions::credentials::ForgotPassword,
    ReactivateUser => crate::actions::lifecycle::ReactivateUser,
    ResendFactorEnrollment => crate::actions::factors::ResendFactorEnrollment,
    ResetFactors => crate::actions::lifecycle::ResetFactors,
    RecoverPassword => crate::actions::credentials::RecoverPassword,
    SuspendUser => crate::actions::lifecycle::SuspendUser,
    UnlockUser => crate::actions::lifecycle::UnlockUser,
    UnsuspendUser => crate::actions::lifecycle::UnsuspendUser,
    UpdateUser => crate::actions::users::UpdateUser,
    UpdateUserType => crate::actions::user_types::UpdateUserType,
    VerifyFactor => crate::actions::factors::VerifyFactor,
    AssignUserToGroup => crate::actions::groups::AssignUserToGroup,
    SetAerialOrgStatus => crate::actions::aerial::SetAerialOrgStatus,
    ReplaceGroup => crate::actions::groups::ReplaceGroup,
    ReplaceGroupRule => crate::actions::group_rules::ReplaceGroupRule,
    ReplaceUser => crate::actions::users::ReplaceUser,
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
