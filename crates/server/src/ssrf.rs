//! The SSRF guard: which org URLs a connection may point at.
//!
//! A connection's org URL is chosen by whoever holds a full API key, and the gateway then sends
//! requests (with the connection's credentials) to it. Without a guard, that is a way to make the
//! gateway reach its own network: cloud metadata services (`169.254.169.254`), databases on
//! `127.0.0.1`, internal hosts. So an org URL must be
//! - `https`, on an Okta domain (`*.okta.com`, `*.oktapreview.com`, `*.okta-emea.com`,
//!   `*.okta-gov.com`, `*.okta.mil`, `*.trexcloud.com`) or on a custom domain the operator
//!   allow-listed (`--allow-org-domain login.example.com`);
//! - with no user info, query or fragment, and no path other than `/`;
//! - and every address its host resolves to must be public: not loopback, private (RFC 1918,
//!   unique-local), link-local, CGNAT shared space, unspecified, multicast or documentation.
//!
//! With [`OrgUrlPolicy::allow_private`] (the `--allow-private-orgs` flag: the demo and tests use
//! it, to reach an emulator on loopback), `http` is accepted and the host may be anything that
//! resolves to loopback, private or link-local addresses; public hosts still have to follow the
//! domain rule.
//!
//! The check runs when a connection is created or its URL changes, and again each time the
//! gateway builds a client for it, so a DNS name that later moves to a private address is refused
//! then. Both places go through [`OrgUrlPolicy::admit_org_url`] and
//! [`OrgUrlPolicy::admit_aerial_url`], so a refusal is the same 422 `org_url_refused` problem
//! whichever of them finds it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use axum::http::StatusCode;
use url::{Host, Url};

use crate::error::{ApiError, ErrorCode};

/// Okta's own domains: an org URL's host must end with one of these (or be allow-listed).
pub const OKTA_DOMAINS: &[&str] = &[
    "okta.com",
    "oktapreview.com",
    "okta-emea.com",
    "okta-gov.com",
    "okta.mil",
    "trexcloud.com",
];

/// Which org URLs connections may use.
#[derive(Debug, Clone, Default)]
pub struct OrgUrlPolicy {
    /// Accept loopback, private and link-local destinations, and plain `http` (development).
    pub allow_private: bool,
    /// Custom domains accepted besides Okta's (exact host names, or `*.example.com` for any
    /// subdomain).
    pub allowed_domains: Vec<String>,
}

/// Why an org URL was refused. The text names the rule and how to satisfy it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl Refused {
    fn problem(&self, field: &str, title: &'static str) -> ApiError {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::OrgUrlRefused,
            title,
            format!("{field}: {self}"),
        )
        .with_problem(field, self.to_string())
    }
}

impl OrgUrlPolicy {
    /// Checks the URL's form and host name, without resolving it. Returns the normalized URL.
    ///
    /// # Errors
    /// [`Refused`] naming the rule the URL breaks.
    pub fn check_form(&self, org_url: &str) -> Result<Url, Refused> {
        self.form(org_url, false)
    }

    fn form(&self, org_url: &str, allow_path: bool) -> Result<Url, Refused> {
        let url = Url::parse(org_url.trim())
            .map_err(|e| Refused(format!("`{org_url}` is not an absolute URL ({e})")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            "http" => {
                return Err(Refused(
                    "must use https (plain http is accepted only when the gateway runs with \
                     --allow-private-orgs, for development)"
                        .to_owned(),
                ));
            }
            other => return Err(Refused(format!("must use https, not `{other}`"))),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refused("must not contain user info".to_owned()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Refused(
                "must not have a query or fragment: give the org's base URL, e.g. \
                 https://acme.okta.com"
                    .to_owned(),
            ));
        }
        if !allow_path && !matches!(url.path(), "" | "/") {
            return Err(Refused(format!(
                "must be the org's base URL without a path (got path `{}`), e.g. \
                 https://acme.okta.com",
                url.path()
            )));
        }
        let host = url
            .host()
            .ok_or_else(|| Refused("must have a host".to_owned()))?;
        match host {
            Host::Domain(name) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                if self.domain_allowed(&name) || self.allow_private {
                    Ok(url)
                } else {
                    Err(Refused(format!(
                        "host `{name}` is not an Okta domain ({}) nor an allow-listed custom \
                         domain (the gateway's --allow-org-domain)",
                        OKTA_DOMAINS
                            .iter()
                            .map(|d| format!("*.{d}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            }
            Host::Ipv4(ip) => self.check_literal(IpAddr::V4(ip)).map(|()| url),
            Host::Ipv6(ip) => self.check_literal(IpAddr::V6(ip)).map(|()| url),
        }
    }

    fn check_literal(&self, ip: IpAddr) -> Result<(), Refused> {
        if self.allow_private && !is_public(ip) {
            Ok(())
        } else if self.allow_private {
            Err(Refused(format!(
                "`{ip}` is a public IP address: use the org's Okta domain name"
            )))
        } else {
            Err(Refused(format!(
                "`{ip}` is an IP address: use the org's Okta domain name (addresses on \
                 loopback or private networks are accepted only when the gateway runs with \
                 --allow-private-orgs)"
            )))
        }
    }

    fn domain_allowed(&self, host: &str) -> bool {
        let suffix_of = |domain: &str| {
            host.len() > domain.len() + 1
                && host.ends_with(domain)
                && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
        };
        OKTA_DOMAINS.iter().any(|d| suffix_of(d))
            || self.allowed_domains.iter().any(|allowed| {
                let allowed = allowed.trim_end_matches('.').to_ascii_lowercase();
                match allowed.strip_prefix("*.") {
                    Some(parent) => suffix_of(parent),
                    None => host == allowed,
                }
            })
    }

    /// Checks the form, then resolves the host and checks every address.
    ///
    /// # Errors
    /// [`Refused`] when the form is wrong, the host does not resolve, or it resolves to an
    /// address the policy does not allow.
    pub async fn check(&self, org_url: &str) -> Result<Url, Refused> {
        self.resolve(self.form(org_url, false)?).await
    }

    /// As [`OrgUrlPolicy::check`] for an Okta Aerial base URL (`https://aerial-apac.okta.com`),
    /// which may carry a path prefix (the emulator serves Aerial under `/aerial`).
    ///
    /// # Errors
    /// As [`OrgUrlPolicy::check`].
    pub async fn check_aerial(&self, aerial_url: &str) -> Result<Url, Refused> {
        self.resolve(self.form(aerial_url, true)?).await
    }

    /// [`OrgUrlPolicy::check`] of a connection's `org_url`, refusals as problems.
    ///
    /// # Errors
    /// 422 `org_url_refused` naming the `org_url` field and the rule it breaks.
    pub async fn admit_org_url(&self, org_url: &str) -> Result<Url, ApiError> {
        self.check(org_url)
            .await
            .map_err(|refused| refused.problem("org_url", "The org URL is not allowed"))
    }

    /// [`OrgUrlPolicy::check_aerial`] of a connection's `aerial.url`, refusals as problems.
    ///
    /// # Errors
    /// 422 `org_url_refused` naming the `aerial.url` field and the rule it breaks.
    pub async fn admit_aerial_url(&self, aerial_url: &str) -> Result<Url, ApiError> {
        self.check_aerial(aerial_url)
            .await
            .map_err(|refused| refused.problem("aerial.url", "The Aerial URL is not allowed"))
    }

    async fn resolve(&self, url: Url) -> Result<Url, Refused> {
        let host = match url.host() {
            Some(Host::Domain(name)) => name.to_owned(),
            // Literals were checked by `check_form`.
            _ => return Ok(url),
        };
        let port = url.port_or_known_default().unwrap_or(443);
        let addresses: Vec<IpAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| Refused(format!("host `{host}` does not resolve: {e}")))?
            .map(|a| a.ip())
            .collect();
        if addresses.is_empty() {
            return Err(Refused(format!("host `{host}` does not resolve")));
        }
        let public = addresses.iter().all(|ip| is_public(*ip));
        if public {
            // A public host must still be an Okta or allow-listed domain (checked by form, unless
            // allow_private let any name through).
            if self.allow_private && !self.domain_allowed(&host.to_ascii_lowercase()) {
                return Err(Refused(format!(
                    "host `{host}` is public and not an Okta domain ({}) nor an allow-listed \
                     custom domain",
                    OKTA_DOMAINS.join(", ")
                )));
            }
            return Ok(url);
        }
        if self.allow_private {
            return Ok(url);
        }
        let private: Vec<String> = addresses
            .iter()
            .filter(|ip| !is_public(**ip))
            .map(ToString::to_string)
            .collect();
        Err(Refused(format!(
            "host `{host}` resolves to a non-public address ({}); loopback, private and \
             link-local destinations are accepted only when the gateway runs with \
             --allow-private-orgs",
            private.join(", ")
        )))
    }
}

/// Whether `ip` is an address on the public internet (not loopback, private, link-local,
/// shared, unspecified, broadcast, multicast, documentation or reserved).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => {
            if let Some(v4) = ip.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            is_public_v6(ip)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // 100.64.0.0/10: carrier-grade NAT shared space.
        || (a == 100 && (64..128).contains(&b))
        // 192.0.0.0/24: IETF protocol assignments.
        || (a == 192 && b == 0 && c == 0)
        // 198.18.0.0/15: benchmarking.
        || (a == 198 && (b == 18 || b == 19))
        // 240.0.0.0/4: reserved.
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local.
        || (first & 0xfe00) == 0xfc00
        // fe80::/10 link-local.
        || (first & 0xffc0) == 0xfe80
        // 2001:db8::/32 documentation.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // 64:ff9b:1::/48 local-use NAT64, ::/96 IPv4-compatible (deprecated).
        || (first == 0x0064 && ip.segments()[1] == 0xff9b && ip.segments()[2] == 1)
        || ip.segments()[..6] == [0, 0, 0, 0, 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> OrgUrlPolicy {
        OrgUrlPolicy::default()
    }

    fn dev() -> OrgUrlPolicy {
        OrgUrlPolicy {
            allow_private: true,
            allowed_domains: Vec::new(),
        }
    }

    #[test]
    fn okta_domains_pass_the_form_check() {
        for url in [
            "https://acme.okta.com",
            "https://acme.okta.com/",
            "https://acme-admin.oktapreview.com",
            "https://acme.okta-emea.com",
            "https://acme.okta-gov.com",
            "https://acme.okta.mil",
            "https://acme.trexcloud.com",
            "https://ACME.OKTA.COM",
        ] {
            assert!(strict().check_form(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn look_alike_and_foreign_hosts_are_refused() {
        for url in [
            "https://okta.com.evil.example",
            "https://evilokta.com",
            "https://okta.com",
            "https://example.com",
            "https://acme.okta.com.",
        ] {
            let refused = strict().check_form(url);
            // A trailing dot is the same host as without it; that one is fine.
            if url.ends_with("com.") {
                assert!(refused.is_ok(), "{url}");
            } else {
                let message = refused.expect_err(url).0;
                assert!(message.contains("not an Okta domain"), "{url}: {message}");
            }
        }
    }

    #[test]
    fn forms_that_hide_a_destination_are_refused() {
        for (url, needle) in [
            ("http://acme.okta.com", "must use https"),
            ("ftp://acme.okta.com", "must use https"),
            ("https://user:pw@acme.okta.com", "user info"),
            ("https://acme.okta.com/api/v1", "without a path"),
            ("https://acme.okta.com?x=1", "query"),
            ("https://127.0.0.1", "IP address"),
            ("https://[::1]", "IP address"),
            ("https://169.254.169.254", "IP address"),
            ("not a url", "not an absolute URL"),
        ] {
            let message = strict().check_form(url).expect_err(url).0;
            assert!(message.contains(needle), "{url}: {message}");
        }
    }

    #[test]
    fn allow_listed_custom_domains_pass() {
        let policy = OrgUrlPolicy {
            allow_private: false,
            allowed_domains: vec!["login.example.com".into(), "*.example.org".into()],
        };
        assert!(policy.check_form("https://login.example.com").is_ok());
        assert!(policy.check_form("https://sso.example.org").is_ok());
        assert!(policy.check_form("https://example.org").is_err());
        assert!(policy.check_form("https://other.example.com").is_err());
    }

    #[test]
    fn the_development_flag_admits_http_and_private_literals_only() {
        assert!(dev().check_form("http://127.0.0.1:8080").is_ok());
        assert!(dev().check_form("http://[::1]:8080").is_ok());
        assert!(dev().check_form("http://10.1.2.3").is_ok());
        let message = dev().check_form("http://8.8.8.8").expect_err("public").0;
        assert!(message.contains("public IP address"), "{message}");
    }

    #[test]
    fn address_classes() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_without_the_flag() {
        let policy = OrgUrlPolicy {
            allow_private: false,
            allowed_domains: vec!["localhost".into()],
        };
        let message = policy
            .check("https://localhost")
            .await
            .expect_err("loopback")
            .0;
        assert!(message.contains("non-public address"), "{message}");
        assert!(dev().check("http://localhost:1").await.is_ok());
    }
}
