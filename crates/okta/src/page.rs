//! Pages of a list and a `Stream` over all of them.
//!
//! Okta paginates with opaque cursors: every list answer carries `Link` headers, and the
//! one with `rel="next"` is the absolute URL of the next page. The client follows these
//! URLs as they are (never building cursors itself) and stops when there is no `next`.
//! A `next` URL that was already followed ends the stream with
//! [`Error::PaginationLoop`] instead of looping forever, and a
//! `next` URL on another host than the org is refused, so the credentials never leave it.

use std::collections::HashSet;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use url::Url;

use crate::{Client, Error, Request, Result};

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Absolute URL of the next page (`Link: <...>; rel="next"`), if there is one.
    pub next: Option<Url>,
}

impl<T> Page<T> {
    /// Whether a further page exists.
    pub fn has_next(&self) -> bool {
        self.next.is_some()
    }

    /// The raw `rel="next"` link, to persist as a checkpoint and resume from later (e.g. with
    /// [`Logs::page_at`](crate::logs::Logs::page_at)). `None` on the last page.
    pub fn next_link(&self) -> Option<&str> {
        self.next.as_ref().map(Url::as_str)
    }

    /// The `after` cursor of the next page (the `after` query parameter of its URL), for a
    /// caller that hands cursors out rather than URLs. `None` on the last page.
    pub fn next_after(&self) -> Option<String> {
        self.next.as_ref().and_then(|url| {
            url.query_pairs()
                .find(|(name, _)| name == "after")
                .map(|(_, value)| value.into_owned())
        })
    }
}

/// A page of a list that also takes `expand` (the consent grants and refresh tokens one client
/// holds for a user).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpandPageQuery {
    /// Expansion (`scope` embeds the scope objects).
    pub expand: Option<String>,
    /// The cursor of the page (from [`Page::next_after`]); `None` for the first page.
    pub after: Option<String>,
    /// The page size; `None` for Okta's default.
    pub limit: Option<u32>,
}

impl ExpandPageQuery {
    /// The first page, at Okta's default size, without expansion.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `expand`.
    #[must_use]
    pub fn expand(mut self, expand: impl Into<String>) -> Self {
        self.expand = Some(expand.into());
        self
    }

    /// Starts at the cursor `after`.
    #[must_use]
    pub fn after(mut self, after: impl Into<String>) -> Self {
        self.after = Some(after.into());
        self
    }

    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Adds `expand`, `after` and `limit` to `request`.
    pub(crate) fn apply(&self, request: Request) -> Request {
        request
            .query_opt("expand", self.expand.as_ref())
            .query_opt("after", self.after.as_ref())
            .query_opt("limit", self.limit)
    }
}

/// Where a page of a list starts and how long it is: the `after` cursor (from
/// [`Page::next_after`]) and the `limit`, for the lists that take nothing else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// The cursor of the page; `None` for the first page.
    pub after: Option<String>,
    /// The page size; `None` for the list's default.
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The first page, at the list's default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts at the cursor `after`.
    #[must_use]
    pub fn after(mut self, after: impl Into<String>) -> Self {
        self.after = Some(after.into());
        self
    }

    /// Sets the page size.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Adds `after` and `limit` (or `default_limit`) to `request`.
    pub(crate) fn apply(&self, request: Request, default_limit: Option<u32>) -> Request {
        request
            .query_opt("after", self.after.as_ref())
            .query_opt("limit", self.limit.or(default_limit))
    }
}

/// Finds the `rel="next"` target among `Link` header values.
///
/// Each value may hold several comma-separated links; `rel` may be quoted or not and may
/// list several relation types.
pub fn next_link<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    values
        .into_iter()
        .flat_map(parse_link_header)
        .find(|(_, rels)| rels.iter().any(|r| r.eq_ignore_ascii_case("next")))
        .map(|(url, _)| url)
}

/// Parses one `Link` header value into `(target, relation types)` pairs (RFC 8288).
pub fn parse_link_header(value: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let target = after[..end].trim().to_owned();
        let mut params = &after[end + 1..];
        let mut rels = Vec::new();
        // Parameters run until a top-level comma (outside quotes).
        let mut in_quotes = false;
        let mut cut = params.len();
        for (i, c) in params.char_indices() {
            match c {
                '"' => in_quotes = !in_quotes,
                ',' if !in_quotes => {
                    cut = i;
                    break;
                }
                _ => {}
            }
        }
        let (this, next) = params.split_at(cut);
        params = next;
        for param in this.split(';') {
            let Some((name, val)) = param.split_once('=') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("rel") {
                let val = val.trim().trim_matches('"');
                rels.extend(val.split_whitespace().map(str::to_owned));
            }
        }
        out.push((target, rels));
        rest = params;
    }
    out
}

impl Client {
    /// Fetches one page of a list request.
    ///
    /// # Errors
    /// As [`Client::send`], plus [`Error::Decode`] when the body is not a list of `T`.
    pub async fn page<T: DeserializeOwned>(&self, request: Request) -> Result<Page<T>> {
        let resp = self.send(request).await?;
        let next = next_link(resp.header_values("link"))
            .map(|s| Url::parse(&s))
            .transpose()
            .map_err(|e| Error::Config(format!("invalid next link from Okta: {e}")))?;
        let items = resp.json::<Vec<T>>()?;
        Ok(Page { items, next })
    }

    /// Streams every item of a list request, following `rel="next"` links to the end.
    pub fn stream<T: DeserializeOwned + Send + 'static>(
        &self,
        request: Request,
    ) -> BoxStream<'static, Result<T>> {
        struct State {
            client: Client,
            next: Option<Request>,
            seen: HashSet<String>,
            // An error found after a page: reported once that page's items are out.
            pending: Option<Error>,
        }
        let state = State {
            client: self.clone(),
            next: Some(request),
            seen: HashSet::new(),
            pending: None,
        };
        stream::try_unfold(state, |mut st| async move {
            if let Some(e) = st.pending.take() {
                return Err(e);
            }
            let Some(req) = st.next.take() else {
                return Ok(None);
            };
            let page: Page<T> = st.client.page(req.clone()).await?;
            if let Some(url) = page.next {
                if let Err(e) = st.client.check_same_origin(&url) {
                    st.pending = Some(e);
                } else if !st.seen.insert(url.as_str().to_owned()) {
                    st.pending = Some(Error::PaginationLoop {
                        url: url.to_string(),
                    });
                } else {
                    st.next = Some(req.follow(url));
                }
            }
            Ok(Some((stream::iter(page.items.into_iter().map(Ok)), st)))
        })
        .try_flatten()
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn okta_style_separate_headers() {
        let got = next_link([
            r#"<https://x.okta.com/api/v1/users?limit=200>; rel="self""#,
            r#"<https://x.okta.com/api/v1/users?after=00u1&limit=200>; rel="next""#,
        ]);
        assert_eq!(
            got.as_deref(),
            Some("https://x.okta.com/api/v1/users?after=00u1&limit=200")
        );
    }

    #[test]
    fn comma_joined_unquoted_and_multi_rel() {
        let v = r#"<https://a/x?a=1,2>; rel=self, <https://a/y>; title="a, b"; rel="prev next""#;
        assert_eq!(next_link([v]).as_deref(), Some("https://a/y"));
        assert_eq!(next_link([r#"<https://a/x>; rel="self""#]), None);
        assert_eq!(next_link(["garbage", "<unterminated; rel=next"]), None);
    }

    proptest! {
        #[test]
        fn finds_next_among_arbitrary_links(
            urls in proptest::collection::vec("https://[a-z]{1,8}\\.okta\\.com/api/v1/[a-z]{1,8}\\?after=[A-Za-z0-9,;=%]{0,20}", 1..5),
            next_pos in 0usize..5,
            joined in any::<bool>(),
        ) {
            let next_pos = next_pos % urls.len();
            let links: Vec<String> = urls.iter().enumerate().map(|(i, u)| {
                let rel = if i == next_pos { "next" } else { "self" };
                format!("<{u}>; rel=\"{rel}\"")
            }).collect();
            let got = if joined {
                next_link([links.join(", ").as_str()])
            } else {
                next_link(links.iter().map(String::as_str))
            };
            prop_assert_eq!(got.as_deref(), Some(urls[next_pos].as_str()));
        }

        #[test]
        fn never_panics(s in ".{0,200}") {
            let _ = parse_link_header(&s);
        }
    }
}
