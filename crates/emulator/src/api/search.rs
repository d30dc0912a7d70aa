//! The `q`, `filter`, `search` and `sortBy` parameters of lists, parsed into query expressions, with Okta's error answers
//! (400 `E0000031` for what doesn't parse or isn't allowed, `E0000030` for a bad date).

use crate::error::{self, ApiError, ApiResult};
use crate::http::Params;
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

/// The `q`, `filter` and `search` parameters of a list.
pub(crate) struct ListQuery<'p> {
    /// `q` when neither `filter` nor `search` is given (it is ignored beside them).
    pub q: Option<&'p str>,
    /// `filter` or `search`, compiled.
    pub expr: Option<query::Expr>,
    /// `sortBy` and whether `sortOrder` is `desc`, for a `search` (the only sortable query).
    pub sort: Option<(&'p str, bool)>,
    /// Whether `expr` is a `search` (compared case-insensitively).
    pub search: bool,
}

impl<'p> ListQuery<'p> {
    /// Reads the parameters, compiling `filter` with `filter_dialect` and `search` with
    /// `search_dialect`; both at once is 400 `E0000033`.
    pub(crate) fn read(
        params: &'p Params,
        filter_dialect: Dialect,
        search_dialect: Dialect,
    ) -> ApiResult<Self> {
        let given = |k: &str| params.get(k).filter(|v| !v.is_empty());
        let (filter, search) = (given("filter"), given("search"));
        let expr = match (filter, search) {
            (Some(_), Some(_)) => return Err(ApiError::new(error::E0000033)),
            (Some(f), None) => Some(compile(f, filter_dialect)?),
            (None, Some(x)) => Some(compile(x, search_dialect)?),
            (None, None) => None,
        };
        let sort = given("sortBy").filter(|_| search.is_some()).map(|attr| {
            let desc = params
                .get("sortOrder")
                .is_some_and(|o| o.eq_ignore_ascii_case("desc"));
            (attr, desc)
        });
        Ok(ListQuery {
            q: given("q").filter(|_| expr.is_none()),
            expr,
            sort,
            search: search.is_some(),
        })
    }
}
