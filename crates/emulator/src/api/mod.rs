//! The Okta API routes, one module per resource.

use std::sync::Arc;

use axum::Router;
use axum::response::IntoResponse;

use crate::error::{self, ApiError};
use crate::server::Shared;

/// Builds the full router: Okta API, admin API, pipeline middleware.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .fallback(|| async { ApiError::new(error::E0000008).into_response() })
        .method_not_allowed_fallback(|| async { ApiError::new(error::E0000022).into_response() })
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            crate::http::pipeline,
        ))
        .with_state(shared)
}
