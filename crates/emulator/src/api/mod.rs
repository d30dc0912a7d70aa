//! The Okta API routes, one module per resource.

mod aerial;
mod app_schema;
mod apps;
mod credentials;
mod factors;
mod grants;
mod group_rules;
mod groups;
mod lifecycle;
mod linked_objects;
mod logs;
mod myaccount;
mod oauth;
mod page;
mod password;
mod profile_schemas;
mod search;
mod sessions;
mod user_resources;
mod user_types;
mod users;
mod users_list;

use std::sync::Arc;

use axum::Router;
use axum::routing::{delete, get, post, put};

use crate::state::Shared;

/// The Okta API's routes; the server adds the admin API and the request pipeline.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    let users = Router::new()
        .route("/api/v1/users", get(users_list::list).post(users::create))
        .route(
            "/api/v1/users/{id}",
            get(users::get)
                .post(users::partial_update)
                .put(users::replace)
                .delete(users::delete),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/activate",
            post(lifecycle::activate),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/reactivate",
            post(lifecycle::reactivate),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/deactivate",
            post(lifecycle::deactivate),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/suspend",
            post(lifecycle::suspend),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/unsuspend",
            post(lifecycle::unsuspend),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/unlock",
            post(lifecycle::unlock),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/expire_password",
            post(lifecycle::expire_password),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/expire_password_with_temp_password",
            post(lifecycle::expire_password_with_temp),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/reset_password",
            post(lifecycle::reset_password),
        )
        .route(
            "/api/v1/users/{id}/lifecycle/reset_factors",
            post(lifecycle::reset_factors),
        )
        .route(
            "/api/v1/users/{id}/credentials/change_password",
            post(credentials::change_password),
        )
        .route(
            "/api/v1/users/{id}/credentials/change_recovery_question",
            post(credentials::change_recovery_question),
        )
        .route(
            "/api/v1/users/{id}/credentials/forgot_password",
            post(credentials::forgot_password),
        )
        .route(
            "/api/v1/users/{id}/credentials/forgot_password_recovery_question",
            post(credentials::forgot_password_recovery_question),
        )
        .route("/api/v1/users/{id}/groups", get(user_resources::groups))
        .route(
            "/api/v1/users/{id}/appLinks",
            get(user_resources::app_links),
        )
        .route("/api/v1/users/{id}/idps", get(user_resources::idps))
        .route("/api/v1/users/{id}/blocks", get(user_resources::blocks))
        .route(
            "/api/v1/users/{id}/sessions",
            delete(user_resources::revoke_sessions),
        );
    let groups = Router::new()
        .route("/api/v1/logs", get(logs::list))
        .route("/api/v1/groups", get(groups::list).post(groups::create))
        .route(
            "/api/v1/groups/{id}",
            get(groups::get).put(groups::replace).delete(groups::delete),
        )
        .route("/api/v1/groups/{id}/users", get(groups::members))
        .route(
            "/api/v1/groups/{id}/users/{userId}",
            put(groups::assign).delete(groups::unassign),
        )
        .route("/api/v1/groups/{id}/apps", get(groups::apps));
    let apps = Router::new()
        .route("/api/v1/apps", get(apps::list).post(apps::create))
        .route("/api/v1/apps/{id}", get(apps::get).delete(apps::delete))
        .route("/api/v1/apps/{id}/lifecycle/{op}", post(apps::lifecycle))
        .route("/api/v1/apps/{id}/groups", get(apps::groups))
        .route(
            "/api/v1/apps/{id}/groups/{groupId}",
            put(apps::assign_group).delete(apps::unassign_group),
        )
        .route(
            "/api/v1/apps/{id}/users",
            get(apps::users).post(apps::assign_user_by_body),
        )
        .route(
            "/api/v1/apps/{id}/users/{userId}",
            put(apps::assign_user)
                .post(apps::assign_user)
                .delete(apps::unassign_user),
        );
    Router::new()
        .merge(users)
        .merge(groups)
        .merge(apps)
        .merge(oauth_routes())
        .merge(group_rule_routes())
        .merge(session_routes())
        .merge(factor_routes())
        .merge(schema_routes())
        .merge(aerial_routes())
}

/// The org authorization server's token endpoint, app scope grants, and users' grants, clients
/// and refresh tokens.
fn oauth_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(crate::oauth::gate::TOKEN_PATH, post(oauth::token))
        .route(
            "/api/v1/apps/{id}/grants",
            get(oauth::list_grants).post(oauth::create_grant),
        )
        .route(
            "/api/v1/apps/{id}/grants/{grantId}",
            get(oauth::get_grant).delete(oauth::delete_grant),
        )
        .route(
            "/api/v1/users/{id}/grants",
            get(grants::list_user_grants).delete(grants::revoke_user_grants),
        )
        .route(
            "/api/v1/users/{id}/grants/{grantId}",
            get(grants::get_user_grant).delete(grants::revoke_user_grant),
        )
        .route("/api/v1/users/{id}/clients", get(grants::list_clients))
        .route(
            "/api/v1/users/{id}/clients/{clientId}/grants",
            get(grants::list_client_grants).delete(grants::revoke_client_grants),
        )
        .route(
            "/api/v1/users/{id}/clients/{clientId}/tokens",
            get(grants::list_tokens).delete(grants::revoke_tokens),
        )
        .route(
            "/api/v1/users/{id}/clients/{clientId}/tokens/{tokenId}",
            get(grants::get_token).delete(grants::revoke_token),
        )
}

/// Group rules.
fn group_rule_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/api/v1/groups/rules",
            get(group_rules::list).post(group_rules::create),
        )
        .route(
            "/api/v1/groups/rules/{ruleId}",
            get(group_rules::get)
                .put(group_rules::replace)
                .delete(group_rules::delete),
        )
        .route(
            "/api/v1/groups/rules/{ruleId}/lifecycle/{op}",
            post(group_rules::lifecycle),
        )
}

/// Primary authentication and sign-in sessions.
fn session_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/authn", post(sessions::authn))
        .route("/api/v1/sessions", post(sessions::create))
        .route(
            "/api/v1/sessions/{sessionId}",
            get(sessions::get).delete(sessions::revoke),
        )
        .route(
            "/api/v1/sessions/{sessionId}/lifecycle/refresh",
            post(sessions::refresh),
        )
}

/// Users' factors: enrollment, activation, verification.
fn factor_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/api/v1/users/{id}/factors",
            get(factors::list).post(factors::enroll),
        )
        .route("/api/v1/users/{id}/factors/catalog", get(factors::catalog))
        .route(
            "/api/v1/users/{id}/factors/questions",
            get(factors::questions),
        )
        .route(
            "/api/v1/users/{id}/factors/{factorId}",
            get(factors::get).delete(factors::unenroll),
        )
        .route(
            "/api/v1/users/{id}/factors/{factorId}/lifecycle/activate",
            post(factors::activate),
        )
        .route(
            "/api/v1/users/{id}/factors/{factorId}/verify",
            post(factors::verify),
        )
        .route(
            "/api/v1/users/{id}/factors/{factorId}/resend",
            post(factors::resend),
        )
        .route(
            "/api/v1/users/{id}/factors/{factorId}/transactions/{txId}",
            get(factors::transaction),
        )
}

/// Profile schemas, user schema extensions (linked objects) and custom user types.
fn schema_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/api/v1/meta/schemas/user/linkedObjects",
            get(linked_objects::list).post(linked_objects::create),
        )
        .route(
            "/api/v1/meta/schemas/user/linkedObjects/{name}",
            get(linked_objects::get).delete(linked_objects::delete),
        )
        .route(
            "/api/v1/users/{id}/linkedObjects/{name}",
            get(linked_objects::get_values).delete(linked_objects::delete_value),
        )
        .route(
            "/api/v1/users/{id}/linkedObjects/{name}/{primaryUserId}",
            put(linked_objects::set_value),
        )
        .route(
            "/api/v1/meta/schemas/user/{schemaId}",
            get(profile_schemas::get_user).post(profile_schemas::update_user),
        )
        .route(
            "/api/v1/meta/schemas/group/default",
            get(profile_schemas::get_group).post(profile_schemas::update_group),
        )
        .route(
            "/api/v1/meta/types/user",
            get(user_types::list).post(user_types::create),
        )
        .route(
            "/api/v1/meta/types/user/{typeId}",
            get(user_types::get)
                .post(user_types::partial_update)
                .put(user_types::replace)
                .delete(user_types::delete),
        )
}

/// Aerial (multi-org) accounts and the MyAccount organization endpoint.
fn aerial_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/aerial/{accountId}/api/v1/orgs",
            get(aerial::list).post(aerial::add),
        )
        .route("/aerial/{accountId}/api/v1/orgs/{orgId}", get(aerial::get))
        .route(
            "/aerial/{accountId}/api/v1/orgs/{orgId}/status",
            put(aerial::set_status),
        )
        .route(
            "/aerial/{accountId}/api/v1/orgs/{orgId}/products",
            get(aerial::products).put(aerial::set_products),
        )
        .route("/idp/myaccount/organization", get(myaccount::organization))
}
