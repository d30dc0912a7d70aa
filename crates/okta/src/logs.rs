//! The System Log (`GET /api/v1/logs`), read page by page.
//!
//! Okta answers two kinds of System Log request differently:
//!
//! - A **polling** request (no `until`, ascending order) never ends: every answer carries a
//!   `rel="next"` link, even an empty one. "No new events" is an empty page *with* a next link;
//!   following that link later returns the events published since. A caller following the log
//!   incrementally persists [`Page::next_link`] as its checkpoint and resumes with
//!   [`Logs::page_at`].
//! - A **bounded** request (`until` given, or descending order) ends: its last page has no
//!   next link.
//!
//! Events can be delivered more than once around a checkpoint; deduplicate them by
//! [`LogEvent::uuid`].
//!
//! ```no_run
//! # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
//! use spindle_okta::logs::LogQuery;
//! let first = client
//!     .logs()
//!     .list_page(LogQuery::new().since("2024-05-01T00:00:00.000Z"))
//!     .await?;
//! let checkpoint = first.next_link().map(str::to_owned);
//! // ... later, or after a restart:
//! if let Some(link) = checkpoint {
//!     let newer = client.logs().page_at(&link).await?;
//!     println!("{} new events", newer.items.len());
//! }
//! # Ok(()) }
//! ```

use url::Url;

use crate::models::LogEvent;
use crate::{Client, Error, Method, Page, Request, Result};

/// Path of the System Log.
pub const PATH: &str = "/api/v1/logs";
/// Largest page of `GET /api/v1/logs` (also the page size this client asks for by default:
/// the System Log's rate limit is small, so fewer, larger pages are better).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Calls on `/api/v1/logs`.
#[derive(Debug, Clone)]
pub struct Logs {
    client: Client,
}

impl Client {
    /// System Log calls.
    pub fn logs(&self) -> Logs {
        Logs {
            client: self.clone(),
        }
    }
}

/// Order of the events of a System Log query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortOrder {
    /// Oldest first (Okta's default); without `until` this is a polling request.
    #[default]
    Ascending,
    /// Newest first; the list ends.
    Descending,
}

impl SortOrder {
    /// The value as Okta spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ASCENDING",
            SortOrder::Descending => "DESCENDING",
        }
    }
}

/// Query of `GET /api/v1/logs`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogQuery {
    /// Earliest `published` time (inclusive, ISO 8601); Okta's default: seven days before
    /// `until` (or now).
    pub since: Option<String>,
    /// Latest `published` time (ISO 8601). Given, the request is bounded and its pages end;
    /// absent, it is a polling request whose pages always have a next link.
    pub until: Option<String>,
    /// Filter expression (`eventType eq "user.lifecycle.create"`).
    pub filter: Option<String>,
    /// Keywords, all of which must appear in the event.
    pub q: Option<String>,
    /// Page size, 1 to [`MAX_PAGE_SIZE`] (clamped); default [`MAX_PAGE_SIZE`].
    pub limit: Option<u32>,
    /// Order; `None` for Okta's default (ascending).
    pub sort_order: Option<SortOrder>,
    /// Start cursor (from [`Page::next_after`]).
    pub after: Option<String>,
}

impl LogQuery {
    /// Every event of Okta's default window, oldest first, polling.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets `since`.
    #[must_use]
    pub fn since(mut self, since: impl Into<String>) -> Self {
        self.since = Some(since.into());
        self
    }
    /// Sets `until` (which makes the request bounded).
    #[must_use]
    pub fn until(mut self, until: impl Into<String>) -> Self {
        self.until = Some(until.into());
        self
    }
    /// Sets `filter`.
    #[must_use]
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }
    /// Sets `q`.
    #[must_use]
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }
    /// Sets the page size (clamped to 1..=[`MAX_PAGE_SIZE`] when sent).
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
    /// Sets `sortOrder`.
    #[must_use]
    pub fn sort_order(mut self, order: SortOrder) -> Self {
        self.sort_order = Some(order);
        self
    }
    /// Sets the `after` cursor.
    #[must_use]
    pub fn after(mut self, after: impl Into<String>) -> Self {
        self.after = Some(after.into());
        self
    }

    /// Whether this is a polling request (no `until`, ascending): its pages never end.
    pub fn is_polling(&self) -> bool {
        self.until.is_none() && self.sort_order != Some(SortOrder::Descending)
    }

    fn request(&self) -> Request {
        let limit = self.limit.unwrap_or(MAX_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
        Request::new(Method::GET, PATH, PATH)
            .query_opt("since", self.since.as_ref())
            .query_opt("until", self.until.as_ref())
            .query_opt("filter", self.filter.as_ref())
            .query_opt("q", self.q.as_ref())
            .query_opt("sortOrder", self.sort_order.map(SortOrder::as_str))
            .query_opt("after", self.after.as_ref())
            .query("limit", limit)
    }
}

impl Logs {
    /// One page of the System Log.
    ///
    /// For a polling query (see [`LogQuery::is_polling`]) the page always has a next link,
    /// even when it is empty; persist [`Page::next_link`] and continue with
    /// [`page_at`](Self::page_at).
    ///
    /// # Errors
    /// See [`Client::send`]; 400 `E0000001` for an invalid `since`, `until`, `limit` or
    /// `sortOrder`, 400 `E0000031` for an invalid `filter`.
    pub async fn list_page(&self, query: LogQuery) -> Result<Page<LogEvent>> {
        self.client.page(query.request()).await
    }

    /// The page behind a saved next link (from [`Page::next_link`]), in the same rate-limit
    /// bucket as [`list_page`](Self::list_page).
    ///
    /// # Errors
    /// [`Error::RefusedLink`], with nothing sent, when `next_link` is not a URL on the org's
    /// origin whose path is the System Log's; otherwise as [`list_page`](Self::list_page).
    pub async fn page_at(&self, next_link: &str) -> Result<Page<LogEvent>> {
        let url = self.check_link(next_link)?;
        self.client
            .page(Request::to_url(Method::GET, PATH, url))
            .await
    }

    /// Parses a saved next link and checks that it points at this org's System Log.
    fn check_link(&self, link: &str) -> Result<Url> {
        let refuse = |reason: &str| Error::RefusedLink {
            url: link.to_owned(),
            reason: reason.to_owned(),
        };
        let url = Url::parse(link).map_err(|e| refuse(&format!("not a URL ({e})")))?;
        let org = self.client.org_url();
        if url.origin() != org.origin() {
            return Err(refuse("not on the org's origin"));
        }
        let expected = format!("{}{PATH}", org.path().trim_end_matches('/'));
        if url.path() != expected {
            return Err(refuse("not a System Log link"));
        }
        if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("has a fragment or user information"));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logs() -> Logs {
        let config = crate::Config::with_api_token("https://example.okta.com", "t").unwrap();
        crate::Client::new(config).unwrap().logs()
    }

    #[test]
    fn query_encodes_every_parameter_and_clamps_the_limit() {
        let q = LogQuery::new()
            .since("2024-05-01T00:00:00.000Z")
            .filter("eventType eq \"user.lifecycle.create\"")
            .sort_order(SortOrder::Descending)
            .limit(5000);
        assert!(!q.is_polling());
        assert!(LogQuery::new().is_polling());
        assert!(!LogQuery::new().until("2024-05-02T00:00:00Z").is_polling());
        let client = logs().client;
        let url = client.url_of(&q.request()).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert!(pairs.contains(&("limit".into(), "1000".into())));
        assert!(pairs.contains(&("sortOrder".into(), "DESCENDING".into())));
        assert!(pairs.contains(&("since".into(), "2024-05-01T00:00:00.000Z".into())));
        assert_eq!(url.path(), "/api/v1/logs");
    }

    #[test]
    fn links_elsewhere_are_refused() {
        let l = logs();
        assert!(
            l.check_link("https://example.okta.com/api/v1/logs?after=1&limit=10")
                .is_ok()
        );
        for bad in [
            "https://evil.example.com/api/v1/logs?after=1",
            "http://example.okta.com/api/v1/logs?after=1",
            "https://example.okta.com:8443/api/v1/logs?after=1",
            "https://example.okta.com/api/v1/users?after=1",
            "https://example.okta.com/api/v1/logs/../users",
            "https://user:pw@example.okta.com/api/v1/logs",
            "/api/v1/logs?after=1",
            "not a url",
        ] {
            assert!(
                matches!(l.check_link(bad), Err(Error::RefusedLink { .. })),
                "{bad}"
            );
        }
    }
}
