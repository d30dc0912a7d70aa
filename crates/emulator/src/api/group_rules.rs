//! `/api/v1/groups/rules`: group rules (BEHAVIOR §8), on top of [`crate::el::rule`].
//!
//! - create → 200, INACTIVE; list (`search` = case-insensitive substring of the name
//!   \[unconfirmed\], `limit` 1–200 default 50, `after`, `expand=groupIdToGroupNameMap`); get;
//!   replace (INACTIVE only, same target groups); `lifecycle/activate|deactivate` → 204; delete →
//!   202 `{}` (`removeUsers=true` removes the memberships the rule added).
//! - An ACTIVE rule is applied **asynchronously**, as in Okta: a background task runs
//!   [`EVAL_DELAY`] after activation (all users), after users are created (those created since
//!   the last pass) and after a profile or membership update (that user). `POST /__emulator/groups/rules/run` applies every rule at once.
//! - Target groups must exist and be `OKTA_GROUP`s (400 `E0000001` otherwise) \[unconfirmed\]
//!   wording; a rule whose target group was deleted turns INVALID when next evaluated.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::page;
use crate::el::rule::{
    MAX_RULES_PER_ORG, MembershipChange, RuleDefinition, RuleError, RuleStatus, check_replace,
    parse_rule_body, plan_for_user,
};
use crate::el::{Ctx, UserView};
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_bytes, json_ok, json_status, no_content, parse_json};
use crate::server::Shared;
use crate::store::ext::StoredRule;
use crate::store::{GroupType, Org};
use crate::util::{fmt_ts, now_secs, okta_id};

/// Delay between a triggering change and the background evaluation (Okta applies rules
/// asynchronously, within seconds; the emulator is quicker so tests stay fast).
pub(crate) const EVAL_DELAY: Duration = Duration::from_millis(50);

fn rule_error(e: &RuleError) -> ApiError {
    let (detail, cause) = e.okta_parts();
    ApiError::with_detail(error::E0000001, &detail).cause(cause)
}

fn find(org: &Org, id: &str) -> ApiResult<u64> {
    org.ext
        .rules
        .iter()
        .find(|(_, r)| r.id == id)
        .map(|(seq, _)| *seq)
        .ok_or_else(|| ApiError::not_found(id, "GroupRule"))
}

fn rule_json(org: &Org, r: &StoredRule, expand: bool) -> Value {
    let d = &r.definition;
    let mut out = Map::new();
    out.insert("type".into(), json!("group_rule"));
    out.insert("id".into(), json!(r.id));
    out.insert("status".into(), json!(r.status.as_str()));
    out.insert("name".into(), json!(d.name));
    out.insert("created".into(), json!(fmt_ts(r.created)));
    out.insert("lastUpdated".into(), json!(fmt_ts(r.last_updated)));
    let mut conditions = json!({
        "expression": {
            "value": r.body.pointer("/conditions/expression/value").cloned().unwrap_or(Value::Null),
            "type": crate::el::EXPRESSION_TYPE,
        },
    });
    // Okta echoes `conditions.people` only for rules created with it: recorded rules created
    // without it (okta-sdk-python test_group_rule_operations) come back without the key.
    if r.body.pointer("/conditions/people").is_some() {
        conditions["people"] = json!({
            "users": {"exclude": d.excluded_user_ids},
            "groups": {"exclude": []},
        });
    }
    out.insert("conditions".into(), conditions);
    out.insert(
        "actions".into(),
        json!({"assignUserToGroups": {"groupIds": d.target_group_ids}}),
    );
    if expand {
        let mut names = Map::new();
        for g in &d.target_group_ids {
            if let Some(group) = org.group_seq(g).and_then(|s| org.groups.get(&s)) {
                names.insert(g.clone(), json!(group.name()));
            }
        }
        out.insert(
            "_embedded".into(),
            json!({ "groupIdToGroupNameMap": names }),
        );
    }
    Value::Object(out)
}

fn check_targets(org: &Org, d: &RuleDefinition) -> ApiResult<()> {
    for g in &d.target_group_ids {
        let ok = org
            .group_seq(g)
            .and_then(|s| org.groups.get(&s))
            .is_some_and(|g| g.kind == GroupType::Okta);
        if !ok {
            return Err(
                ApiError::with_detail(error::E0000001, "actions.assignUserToGroups.groupIds")
                    .cause(format!(
                        "actions.assignUserToGroups.groupIds: Group {g} does not exist or is not an OKTA_GROUP."
                    )),
            );
        }
    }
    Ok(())
}

/// `POST /api/v1/groups/rules` → 200 INACTIVE rule.
pub(crate) async fn create(State(s): State<Arc<Shared>>, body: Bytes) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let def = parse_rule_body(&body).map_err(|e| rule_error(&e))?;
    let mut org = s.org.write();
    check_targets(&org, &def)?;
    if org.ext.rules.len() >= MAX_RULES_PER_ORG {
        return Err(rule_error(&RuleError::TooManyRules));
    }
    let now = now_secs();
    org.ext.next_rule += 1;
    let seq = org.ext.next_rule;
    let id = okta_id("0pr", org.salt, seq);
    let rule = StoredRule {
        id,
        created: now,
        last_updated: now,
        status: RuleStatus::Inactive,
        definition: def,
        body,
        added: Default::default(),
    };
    let out = rule_json(&org, &rule, false);
    org.ext.rules.insert(seq, rule);
    Ok(json_ok(&out))
}

/// `GET /api/v1/groups/rules/{id}?expand=groupIdToGroupNameMap`
pub(crate) async fn get(
    State(s): State<Arc<Shared>>,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let org = s.org.read();
    let seq = find(&org, &id)?;
    let r = org
        .ext
        .rules
        .get(&seq)
        .ok_or_else(|| ApiError::not_found(&id, "GroupRule"))?;
    Ok(json_ok(&rule_json(&org, r, expands(&params))))
}

fn expands(params: &Params) -> bool {
    params
        .get("expand")
        .is_some_and(|e| e.split(',').any(|x| x.trim() == "groupIdToGroupNameMap"))
}

/// `GET /api/v1/groups/rules?search=&limit=&after=&expand=`
pub(crate) async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> ApiResult<Response> {
    let limit = page::limit(&params, 50, 200)?;
    let after = page::decode_seq(&params, "rules")?;
    let search = params.get("search").map(str::to_lowercase);
    let expand = expands(&params);
    let org = s.org.read();
    let mut rows = Vec::new();
    let mut next = None;
    for (seq, r) in org.ext.rules.range(after + 1..) {
        if let Some(q) = &search
            && !r.definition.name.to_lowercase().contains(q.as_str())
        {
            continue;
        }
        if rows.len() == limit {
            next = Some(page::encode("rules", &(seq - 1).to_string()));
            break;
        }
        rows.push((*seq, rule_json(&org, r, expand)));
    }
    // The cursor is the last returned row's seq.
    if next.is_some()
        && let Some((last, _)) = rows.last()
    {
        next = Some(page::encode("rules", &last.to_string()));
    }
    let rows: Vec<Value> = rows.into_iter().map(|(_, v)| v).collect();
    let bytes = serde_json::to_vec(&rows).map_err(|_| ApiError::new(error::E0000009))?;
    let mut resp = json_bytes(StatusCode::OK, bytes);
    page::link_headers(
        &mut resp,
        &base,
        "/api/v1/groups/rules",
        &params,
        limit,
        next.as_deref(),
    );
    Ok(resp)
}

/// `PUT /api/v1/groups/rules/{id}`: INACTIVE rules only; `actions` can't change.
pub(crate) async fn replace(
    State(s): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = parse_json(&body)?;
    let def = parse_rule_body(&body).map_err(|e| rule_error(&e))?;
    let mut org = s.org.write();
    let seq = find(&org, &id)?;
    let (status, targets) = org
        .ext
        .rules
        .get(&seq)
        .map(|r| (r.status, r.definition.target_group_ids.clone()))
        .ok_or_else(|| ApiError::not_found(&id, "GroupRule"))?;
    check_replace(status, &targets, &def).map_err(|e| rule_error(&e))?;
    let now = now_secs();
    let Some(r) = org.ext.rules.get_mut(&seq) else {
        return Err(ApiError::not_found(&id, "GroupRule"));
    };
    r.definition = def;
    r.body = body;
    r.last_updated = now;
    let out = org
        .ext
        .rules
        .get(&seq)
        .map(|r| rule_json(&org, r, false))
        .unwrap_or(Value::Null);
    Ok(json_ok(&out))
}

/// `POST /api/v1/groups/rules/{id}/lifecycle/{activate|deactivate}` → 204.
pub(crate) async fn lifecycle(
    State(s): State<Arc<Shared>>,
    Path((id, op)): Path<(String, String)>,
) -> ApiResult<Response> {
    let activate = match op.as_str() {
        "activate" => true,
        "deactivate" => false,
        _ => return Err(ApiError::new(error::E0000008)),
    };
    {
        let mut org = s.org.write();
        let seq = find(&org, &id)?;
        let now = now_secs();
        let Some(r) = org.ext.rules.get_mut(&seq) else {
            return Err(ApiError::not_found(&id, "GroupRule"));
        };
        let next = if activate {
            r.status.activate()
        } else {
            r.status.deactivate()
        }
        .map_err(|e| rule_error(&e))?;
        if next != r.status {
            r.status = next;
            r.last_updated = now;
        }
    }
    if activate {
        schedule(&s, Scope::All);
    }
    Ok(no_content())
}

/// `DELETE /api/v1/groups/rules/{id}?removeUsers=` → 202 `{}`.
pub(crate) async fn delete(
    State(s): State<Arc<Shared>>,
    params: Params,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let remove = params.flag("removeUsers", false);
    let mut org = s.org.write();
    let seq = find(&org, &id)?;
    let Some(rule) = org.ext.rules.remove(&seq) else {
        return Err(ApiError::not_found(&id, "GroupRule"));
    };
    if remove {
        let now = now_secs();
        for (user_id, group_id) in &rule.added {
            if let (Some(u), Some(g)) = (org.user_seq(user_id), org.group_seq(group_id))
                && org.remove_member(g, u)
                && let Some(group) = org.groups.get_mut(&g)
            {
                group.last_membership_updated = now;
            }
        }
    }
    Ok(json_status(StatusCode::ACCEPTED, &json!({})))
}

/// Which users a background evaluation covers.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope {
    /// Every user (rule activation).
    All,
    /// One user (profile or membership change, reactivation).
    User(u64),
    /// Users created since the last evaluation (user creation; keeps bulk creation linear).
    New,
}

/// Schedules a background evaluation of every ACTIVE rule over `scope`.
pub(crate) fn schedule(s: &Arc<Shared>, scope: Scope) {
    if !s
        .org
        .read()
        .ext
        .rules
        .values()
        .any(|r| r.status == RuleStatus::Active)
    {
        return;
    }
    let s = s.clone();
    tokio::spawn(async move {
        tokio::time::sleep(EVAL_DELAY).await;
        let mut org = s.org.write();
        let from = match scope {
            Scope::All => 0,
            Scope::New => org.ext.rules_user_watermark + 1,
            Scope::User(u) => {
                evaluate(&mut org, &[u]);
                return;
            }
        };
        let users: Vec<u64> = org.users.range(from..).map(|(k, _)| *k).collect();
        if let Some(last) = users.last() {
            org.ext.rules_user_watermark = org.ext.rules_user_watermark.max(*last);
        }
        evaluate(&mut org, &users);
    });
}

/// Applies every ACTIVE rule to every user now; returns the number of membership changes.
pub(crate) fn run_all(s: &Arc<Shared>) -> usize {
    let mut org = s.org.write();
    let users: Vec<u64> = org.users.keys().copied().collect();
    if let Some(last) = users.last() {
        org.ext.rules_user_watermark = org.ext.rules_user_watermark.max(*last);
    }
    evaluate(&mut org, &users)
}

/// Applies every ACTIVE rule to `users`; returns the number of membership changes.
fn evaluate(org: &mut Org, users: &[u64]) -> usize {
    let now = now_secs();
    // Rules whose target group is gone turn INVALID.
    let invalid: Vec<u64> = org
        .ext
        .rules
        .iter()
        .filter(|(_, r)| r.status == RuleStatus::Active)
        .filter(|(_, r)| {
            r.definition
                .target_group_ids
                .iter()
                .any(|g| org.group_seq(g).is_none())
        })
        .map(|(s, _)| *s)
        .collect();
    for seq in invalid {
        if let Some(r) = org.ext.rules.get_mut(&seq) {
            r.status = RuleStatus::Invalid;
            r.last_updated = now;
        }
    }
    let active: Vec<u64> = org
        .ext
        .rules
        .iter()
        .filter(|(_, r)| r.status == RuleStatus::Active)
        .map(|(s, _)| *s)
        .collect();
    let mut changes = 0;
    for &u in users {
        for &rseq in &active {
            let plan: Vec<MembershipChange> = {
                let (Some(user), Some(rule)) = (org.user(u), org.ext.rules.get(&rseq)) else {
                    continue;
                };
                let groups: Vec<(String, String)> = org
                    .groups_of(u)
                    .into_iter()
                    .filter_map(|g| org.groups.get(&g))
                    .map(|g| (g.id.clone(), g.name().to_owned()))
                    .collect();
                let ctx = Ctx {
                    user: UserView {
                        id: &user.id,
                        status: user.status.as_str(),
                        profile: &user.profile,
                    },
                    groups: &groups,
                };
                plan_for_user(
                    &rule.definition,
                    &ctx,
                    |g| groups.iter().any(|(id, _)| id == g),
                    |g| rule.added.contains(&(user.id.clone(), g.to_owned())),
                )
            };
            for c in plan {
                let (Some(us), Some(gs)) = (org.user_seq(&c.user_id), org.group_seq(&c.group_id))
                else {
                    continue;
                };
                let changed = if c.add {
                    org.add_member(gs, us)
                } else {
                    org.remove_member(gs, us)
                };
                if let Some(r) = org.ext.rules.get_mut(&rseq) {
                    if c.add {
                        r.added.insert((c.user_id.clone(), c.group_id.clone()));
                    } else {
                        r.added.remove(&(c.user_id.clone(), c.group_id.clone()));
                    }
                }
                if changed {
                    changes += 1;
                    if let Some(g) = org.groups.get_mut(&gs) {
                        g.last_membership_updated = now;
                    }
                }
            }
        }
    }
    changes
}

/// Middleware: after a successful user create, profile update or (re)activation, schedules the
/// evaluation of the ACTIVE rules (for that user; for all users after a create).
pub(crate) async fn trigger(
    State(s): State<Arc<Shared>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    if !resp.status().is_success() {
        return resp;
    }
    let Some(rest) = path.strip_prefix("/api/v1/users") else {
        return resp;
    };
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let target = match (method.as_str(), segs.as_slice()) {
        ("POST", []) => Some(None),
        ("POST" | "PUT", [id]) => Some(Some(*id)),
        (
            "POST",
            [
                id,
                "lifecycle",
                "activate" | "reactivate" | "unsuspend" | "unlock",
            ],
        ) => Some(Some(*id)),
        _ => None,
    };
    match target {
        Some(None) => schedule(&s, Scope::New),
        Some(Some(id)) => {
            let seq = s.org.read().user_seq(id);
            if let Some(seq) = seq {
                schedule(&s, Scope::User(seq));
            }
        }
        None => {}
    }
    resp
}
