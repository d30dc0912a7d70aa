//! A DNS resolver that refuses addresses a caller does not allow.
//!
//! A gateway that lets its users choose an org URL checks where the host resolves before it
//! accepts it; but the HTTP client resolves again when it connects, and a DNS answer can change in
//! between (DNS rebinding). Checking the addresses inside the resolver the connection actually
//! uses closes that gap: a host whose every address is refused fails to connect.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Decides which resolved addresses the client may connect to.
#[derive(Clone)]
pub struct AddressFilter(Arc<dyn Fn(IpAddr) -> bool + Send + Sync>);

impl AddressFilter {
    /// A filter allowing the addresses for which `allow` returns true.
    pub fn new(allow: impl Fn(IpAddr) -> bool + Send + Sync + 'static) -> Self {
        AddressFilter(Arc::new(allow))
    }

    /// Whether `ip` is allowed.
    pub fn allows(&self, ip: IpAddr) -> bool {
        (self.0)(ip)
    }
}

impl fmt::Debug for AddressFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AddressFilter(..)")
    }
}

/// The system resolver, with refused addresses removed: the one Okta clients built with
/// [`crate::Config::address_filter`] connect through, usable by any other `reqwest` client that
/// must not reach refused addresses (the gateway's webhook sender).
#[derive(Debug, Clone)]
pub struct FilteringResolver {
    pub(crate) filter: AddressFilter,
}

impl FilteringResolver {
    /// A resolver that drops the addresses `filter` refuses; a host with only refused addresses
    /// fails to resolve.
    pub fn new(filter: AddressFilter) -> Self {
        FilteringResolver { filter }
    }
}

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let filter = self.filter.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| filter.allows(a.ip()))
                .collect();
            if allowed.is_empty() {
                let refused: Vec<String> = resolved.iter().map(|a| a.ip().to_string()).collect();
                return Err(format!(
                    "{host} resolves only to addresses this client may not connect to ({})",
                    refused.join(", ")
                )
                .into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}
