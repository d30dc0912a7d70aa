//! `/api/v1/groups/rules`: group rules (BEHAVIOR §8), on top of [`crate::el::rule`].
//!
//! - create → 200, INACTIVE; list (`search` = case-insensitive substring of the name
//!   \[unconfirmed\], `limit` 1–200 default 50, `after`, `expand=groupIdToGroupNameMap`); get;
//!   replace (INACTIVE only, same target groups); `lifecycle/activate|deactivate` → 204; delete →
//!   202 `{}` (`removeUsers=true` removes the memberships the rule added).
//! - An ACTIVE rule is applied **asynchronously**, as in Okta: activation queues every user, and
//!   user creation, profile, status and membership changes queue the users concerned
//!   ([`crate::store::RuleQueue`]); a background task applies the rules shortly after
//!   ([`crate::background`]). `POST /__emulator/groups/rules/run` applies every rule at once.
//! - Target groups must exist and be `OKTA_GROUP`s (400 `E0000001` otherwise) \[unconfirmed\]
//!   wording; a rule whose target group is deleted turns INVALID at once.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::page::SeqPage;
use crate::background::run_rules_later;
use crate::el::rule::{
    MAX_RULES_PER_ORG, RuleDefinition, RuleError, RuleStatus, check_replace, parse_rule_body,
};
use crate::error::{self, ApiError, ApiResult};
use crate::http::{BaseUrl, Params, json_ok, json_status, no_content, parse_json};
use crate::state::Shared;
use crate::store::StoredRule;
use crate::store::{GroupType, Org};
use crate::util::{fmt_ts, now_secs, okta_id};

fn rule_error(e: &RuleError) -> ApiError {
    let (detail, cause) = e.okta_parts();
    ApiError::with_detail(error::E0000001, &detail).cause(cause)
}

fn find(org: &Org, id: &str) -> ApiResult<u64> {
    org.rules
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
    if org.rules.len() >= MAX_RULES_PER_ORG {
        return Err(rule_error(&RuleError::TooManyRules));
    }
    let now = now_secs();
    org.next_rule += 1;
    let seq = org.next_rule;
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
    org.rules.insert(seq, rule);
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
    let page = SeqPage::read(&params, "rules", 50, 200)?;
    let search = params.get("search").map(str::to_lowercase);
    let expand = expands(&params);
    let org = s.org.read();
    page.answer(
        &base,
        "/api/v1/groups/rules",
        &params,
        org.rules
            .range(page.after + 1..)
            .filter(|(_, r)| {
                search
                    .as_ref()
                    .is_none_or(|q| r.definition.name.to_lowercase().contains(q.as_str()))
            })
            .map(|(seq, r)| (*seq, rule_json(&org, r, expand))),
    )
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
        .rules
        .get(&seq)
        .map(|r| (r.status, r.definition.target_group_ids.clone()))
        .ok_or_else(|| ApiError::not_found(&id, "GroupRule"))?;
    check_replace(status, &targets, &def).map_err(|e| rule_error(&e))?;
    let now = now_secs();
    let Some(r) = org.rules.get_mut(&seq) else {
        return Err(ApiError::not_found(&id, "GroupRule"));
    };
    r.definition = def;
    r.body = body;
    r.last_updated = now;
    let out = org
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
    let mut org = s.org.write();
    let seq = find(&org, &id)?;
    let now = now_secs();
    let Some(r) = org.rules.get_mut(&seq) else {
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
    if activate {
        org.queue_rules_for_all_users();
        run_rules_later(&s, &org);
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
    let Some(rule) = org.rules.remove(&seq) else {
        return Err(ApiError::not_found(&id, "GroupRule"));
    };
    if remove {
        org.remove_rule_memberships(&rule, now_secs());
    }
    Ok(json_status(StatusCode::ACCEPTED, &json!({})))
}
