//! `filter` and `search` parameters parsed into query expressions, with Okta's error answers
//! (400 `E0000031` for what doesn't parse or isn't allowed, `E0000030` for a bad date).

use crate::error::{self, ApiError, ApiResult};
use crate::query::{self, Dialect};

/// Parses and checks a `filter`/`search` expression the way Okta reports problems.
pub(crate) fn compile(src: &str, dialect: Dialect) -> ApiResult<query::Expr> {
    let expr = query::parse(src).map_err(ApiError::bad_search)?;
    dialect.check(&expr).map_err(ApiError::bad_search)?;
    if query::invalid_date(&expr).is_some() {
        return Err(ApiError::new(error::E0000030));
    }
    Ok(expr)
}
