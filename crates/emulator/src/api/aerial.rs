//! The Okta Aerial API (BEHAVIOR §13), served under the path prefix `/aerial`:
//! `/aerial/{accountId}/api/v1/orgs[/{orgId}[/status|/products]]`.
//!
//! Accounts and their access tokens come from the admin API (`POST /__emulator/aerial/accounts`);
//! requests need `Authorization: Bearer` (or DPoP) with `okta.accounts.read|manage` (checked by
//! the pipeline) issued for that account; an SSWS token → 401 `E0000011`, another account's
//! token → 403 `E0000006`, unknown account or org → 404 `E0000007`. \[unconfirmed\] choices:
//! `POST /orgs` answers 200 and accepts any `orgId`/`domain` (no contract or consent check);
//! `GET /orgs` takes `limit` (1–100, default 25), `after` and a `filter` on `status` /
//! `aerialOrg` (400 `E0000031` otherwise); no `before` cursor.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::page::SeqPage;
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok, parse_json};
use crate::oauth::gate::BearerPrincipal;
use crate::state::Shared;
use crate::store::AerialOrg;
use crate::store::Org;
use crate::store::aerial_account_client;
use crate::util::{fmt_ts, now_secs};

fn authorize(principal: Option<Extension<BearerPrincipal>>, account: &str) -> ApiResult<()> {
    match principal {
        None => Err(ApiError::new(error::E0000011)),
        Some(Extension(p)) if p.client_id == aerial_account_client(account) => Ok(()),
        Some(_) => Err(ApiError::new(error::E0000006)),
    }
}

fn org_json(account: &str, o: &AerialOrg, base: &str) -> Value {
    json!({
        "id": o.id,
        "accountId": account,
        "name": o.name,
        "region": o.region,
        "cell": o.cell,
        "domain": o.domain,
        "status": o.status,
        "createdDate": fmt_ts(o.created),
        "createdBy": aerial_account_client(account),
        "_links": {"self": {"href": format!("{base}/aerial/{account}/api/v1/orgs/{}", o.id)}},
    })
}

fn account<'a>(org: &'a mut Org, id: &str) -> ApiResult<&'a mut crate::store::AerialAccount> {
    org.aerial
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found(id, "Account"))
}

fn find_org<'a>(org: &'a mut Org, acc: &str, id: &str) -> ApiResult<&'a mut AerialOrg> {
    account(org, acc)?
        .orgs
        .values_mut()
        .find(|o| o.id == id)
        .ok_or_else(|| ApiError::not_found(id, "Org"))
}

/// `GET /aerial/{accountId}/api/v1/orgs?limit=&after=`
pub(crate) async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    principal: Option<Extension<BearerPrincipal>>,
    params: Params,
    Path(acc): Path<String>,
) -> ApiResult<Response> {
    authorize(principal, &acc)?;
    let page = SeqPage::read(&params, "aerialorgs", 25, 100)?;
    let filter = match params
        .get("filter")
        .map(str::trim)
        .filter(|f| !f.is_empty())
    {
        None => None,
        Some(f) => Some(parse_filter(f)?),
    };
    let mut org = s.org.write();
    let a = account(&mut org, &acc)?;
    page.answer(
        &base,
        &format!("/aerial/{acc}/api/v1/orgs"),
        &params,
        a.orgs
            .range(page.after + 1..)
            .filter(|(_, o)| filter.as_ref().is_none_or(|f| f.matches(o)))
            .map(|(seq, o)| (*seq, org_json(&acc, o, &base))),
    )
}

/// A `GET /orgs` filter: `status eq "ACTIVE"|"INACTIVE"`, `aerialOrg eq true|false` (no
/// emulated org is the Aerial org itself), joined with `and`.
#[derive(Debug, Default)]
struct OrgFilter {
    status: Option<String>,
    aerial_org: Option<bool>,
}

impl OrgFilter {
    fn matches(&self, o: &AerialOrg) -> bool {
        self.status.as_deref().is_none_or(|s| s == o.status) && self.aerial_org != Some(true)
    }
}

fn parse_filter(f: &str) -> ApiResult<OrgFilter> {
    let bad = || ApiError::new(error::E0000031).cause(format!("Unsupported filter: {f}"));
    let mut out = OrgFilter::default();
    for clause in f.split(" and ") {
        let parts: Vec<&str> = clause.split_whitespace().collect();
        match parts.as_slice() {
            ["status", "eq", v] => {
                let v = v.trim_matches('"');
                if v != "ACTIVE" && v != "INACTIVE" {
                    return Err(bad());
                }
                out.status = Some(v.to_owned());
            }
            ["aerialOrg" | "adminOrg", "eq", v] => {
                out.aerial_org = Some(v.parse::<bool>().map_err(|_| bad())?);
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// `POST /aerial/{accountId}/api/v1/orgs` body `{"orgId"|"domain", "cell"}` → 200 org.
pub(crate) async fn add(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    principal: Option<Extension<BearerPrincipal>>,
    Path(acc): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    authorize(principal, &acc)?;
    let body = parse_json(&body)?;
    let str_of = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let cell = str_of("cell").unwrap_or("OK1").to_owned();
    let (id, domain) = match (str_of("orgId"), str_of("domain")) {
        (Some(id), d) => (
            id.to_owned(),
            d.map_or_else(|| format!("{id}.okta.com"), str::to_owned),
        ),
        (None, Some(d)) => (format!("00o{}", crate::util::token(17)), d.to_owned()),
        (None, None) => {
            return Err(ApiError::validation(
                "orgId",
                "Either orgId or domain is required.",
            ));
        }
    };
    let mut org = s.org.write();
    let seq = org.next_id("00o").0;
    let a = account(&mut org, &acc)?;
    if a.orgs.values().any(|o| o.id == id || o.domain == domain) {
        return Err(ApiError::validation(
            "orgId",
            "The org is already part of this account.",
        ));
    }
    let o = AerialOrg {
        name: domain.split('.').next().unwrap_or_default().to_owned(),
        id,
        domain,
        cell,
        region: "US".into(),
        status: "ACTIVE".into(),
        created: now_secs(),
        products: Vec::new(),
    };
    let out = org_json(&acc, &o, &base);
    a.orgs.insert(seq, o);
    Ok(json_ok(&out))
}

/// `GET /aerial/{accountId}/api/v1/orgs/{orgId}`
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    principal: Option<Extension<BearerPrincipal>>,
    Path((acc, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    authorize(principal, &acc)?;
    let mut org = s.org.write();
    let o = find_org(&mut org, &acc, &id)?;
    Ok(json_ok(&org_json(&acc, o, &base)))
}

/// `PUT /aerial/{accountId}/api/v1/orgs/{orgId}/status` body `{"status"}` → 200 org.
pub(crate) async fn set_status(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    principal: Option<Extension<BearerPrincipal>>,
    Path((acc, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    authorize(principal, &acc)?;
    let body = parse_json(&body)?;
    let status = match body.get("status").and_then(Value::as_str) {
        Some(s @ ("ACTIVE" | "INACTIVE")) => s.to_owned(),
        _ => {
            return Err(ApiError::validation(
                "status",
                "The status must be ACTIVE or INACTIVE.",
            ));
        }
    };
    let mut org = s.org.write();
    let o = find_org(&mut org, &acc, &id)?;
    o.status = status;
    Ok(json_ok(&org_json(&acc, o, &base)))
}

/// `GET /aerial/{accountId}/api/v1/orgs/{orgId}/products`
pub(crate) async fn products(
    State(s): State<Arc<Shared>>,
    principal: Option<Extension<BearerPrincipal>>,
    Path((acc, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    authorize(principal, &acc)?;
    let mut org = s.org.write();
    let o = find_org(&mut org, &acc, &id)?;
    Ok(json_ok(&o.products))
}

/// `PUT /aerial/{accountId}/api/v1/orgs/{orgId}/products`: replaces the enabled set; the
/// response equals the request.
pub(crate) async fn set_products(
    State(s): State<Arc<Shared>>,
    principal: Option<Extension<BearerPrincipal>>,
    Path((acc, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    authorize(principal, &acc)?;
    let body = parse_json(&body)?;
    let Some(items) = body.as_array() else {
        return Err(ApiError::new(error::E0000003));
    };
    if items.iter().any(|p| {
        p.get("id")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    }) {
        return Err(ApiError::validation("id", "Each product needs an id."));
    }
    let mut org = s.org.write();
    let o = find_org(&mut org, &acc, &id)?;
    o.products = items.clone();
    Ok(json_ok(&o.products))
}
