//! Which URLs webhooks may be delivered to: the same rule as org URLs (see [`crate::ssrf`]),
//! without the Okta-domain part. A receiving URL must use `https`, carry no user info, and its
//! host must resolve only to public addresses, unless the gateway runs with
//! `--allow-private-webhooks` ([`crate::Settings::allow_private_webhooks`]), which also admits
//! plain `http` (for receivers on the developer's machine or network).
//!
//! The check runs when a webhook is created or its URL changes; the sender checks every address
//! again when it connects, so a name that later moves to a private address is refused then.

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::ApiError;
use crate::ssrf::{Refused, is_public};

const HINT: &str = "loopback, private and link-local receivers are accepted only when the \
                    gateway runs with --allow-private-webhooks";

/// Checks a receiving URL's form (and, for an IP literal, its address) without resolving it.
///
/// # Errors
/// [`Refused`] naming the rule the URL breaks.
pub fn check_form(url: &str, allow_private: bool) -> Result<Url, Refused> {
    let parsed = Url::parse(url.trim())
        .map_err(|e| Refused(format!("`{url}` is not an absolute URL ({e})")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => {
            return Err(Refused(
                "must use https (plain http is accepted only when the gateway runs with \
                 --allow-private-webhooks, for development)"
                    .to_owned(),
            ));
        }
        other => return Err(Refused(format!("must use https, not `{other}`"))),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Refused("must not contain user info".to_owned()));
    }
    if parsed.fragment().is_some() {
        return Err(Refused("must not have a fragment".to_owned()));
    }
    let ip = match parsed.host() {
        None => return Err(Refused("must have a host".to_owned())),
        Some(Host::Domain(_)) => None,
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
    };
    if let Some(ip) = ip
        && !allow_private
        && !is_public(ip)
    {
        return Err(Refused(format!("`{ip}` is not a public address; {HINT}")));
    }
    Ok(parsed)
}

/// Checks the form, then resolves the host and checks every address.
///
/// # Errors
/// [`Refused`] when the form is wrong, the host does not resolve, or (without `allow_private`)
/// it resolves to a non-public address.
pub async fn check(url: &str, allow_private: bool) -> Result<Url, Refused> {
    let parsed = check_form(url, allow_private)?;
    let Some(Host::Domain(host)) = parsed.host() else {
        return Ok(parsed);
    };
    let host = host.to_owned();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| Refused(format!("host `{host}` does not resolve: {e}")))?
        .map(|a| a.ip())
        .collect();
    if addresses.is_empty() {
        return Err(Refused(format!("host `{host}` does not resolve")));
    }
    if allow_private {
        return Ok(parsed);
    }
    let private: Vec<String> = addresses
        .iter()
        .filter(|ip| !is_public(**ip))
        .map(ToString::to_string)
        .collect();
    if private.is_empty() {
        Ok(parsed)
    } else {
        Err(Refused(format!(
            "host `{host}` resolves to a non-public address ({}); {HINT}",
            private.join(", ")
        )))
    }
}

/// [`check`] as the API answers it: a refusal is a 422 naming the `url` field.
///
/// # Errors
/// 422 `invalid_input` naming `url` and the rule it breaks.
pub async fn admit(url: &str, allow_private: bool) -> Result<Url, ApiError> {
    check(url, allow_private)
        .await
        .map_err(|refused| ApiError::invalid_field("url", refused.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(check_form("https://hooks.example.com/in?x=1", false).is_ok());
        for (url, needle) in [
            ("http://hooks.example.com", "must use https"),
            ("ftp://hooks.example.com", "must use https"),
            ("https://u:p@hooks.example.com", "user info"),
            ("https://127.0.0.1/in", "not a public address"),
            ("https://[::1]/in", "not a public address"),
            ("https://169.254.169.254/", "not a public address"),
            ("nope", "not an absolute URL"),
        ] {
            let message = check_form(url, false).expect_err(url).0;
            assert!(message.contains(needle), "{url}: {message}");
        }
        assert!(check_form("http://127.0.0.1:9/in", true).is_ok());
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_without_the_flag() {
        let message = check("https://localhost/in", false)
            .await
            .expect_err("loopback")
            .0;
        assert!(message.contains("non-public address"), "{message}");
        assert!(check("http://localhost:1/in", true).await.is_ok());
    }
}
