//! Validates response bodies against the official OpenAPI document
//! (`../shared/okta/spec/2026.06.3/management-minimal.yaml`) with the `jsonschema` crate.
//!
//! OpenAPI 3.0 schemas are JSON Schema draft 4 plus `nullable`; `nullable: true` is turned
//! into an explicit `null` alternative before validation. Each response schema is compiled
//! once, as `{"$ref": <schema>}` beside the document's `components`, so internal `$ref`s
//! resolve.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};

/// The document's operations and its (converted) components.
pub struct Spec {
    /// `(METHOD, path template split in segments)` -> operation object.
    operations: Vec<(String, Vec<String>, Value)>,
    components: Value,
    cache: HashMap<(String, u16), Option<jsonschema::Validator>>,
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec")
            .field("operations", &self.operations.len())
            .finish()
    }
}

impl Spec {
    /// Loads and converts the document.
    pub fn load(path: &Path) -> Result<Spec, String> {
        Self::load_with(path, true)
    }

    /// An older document as published, without [`DEVIATIONS`] (which are evidenced against
    /// the current one), for operations the current document dropped (`createSession`).
    pub fn load_as_published(path: &Path) -> Result<Spec, String> {
        Self::load_with(path, false)
    }

    fn load_with(path: &Path, corrected: bool) -> Result<Spec, String> {
        let mut doc = load_document(path)?;
        if corrected {
            apply_deviations(&mut doc)?;
        }
        let mut operations = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (template, item) in paths {
                let segs: Vec<String> = template.split('/').skip(1).map(str::to_owned).collect();
                for (method, op) in item.as_object().into_iter().flatten() {
                    if op.get("operationId").is_some() {
                        operations.push((method.to_ascii_uppercase(), segs.clone(), op.clone()));
                    }
                }
            }
        }
        let mut components = doc.get("components").cloned().unwrap_or_else(|| json!({}));
        convert_nullable(&mut components);
        Ok(Spec {
            operations,
            components,
            cache: HashMap::new(),
        })
    }

    /// The operation id for a request, preferring literal segments over parameters.
    pub fn operation_id(&self, method: &str, path: &str) -> Option<String> {
        self.operation(method, path)
            .and_then(|op| op.get("operationId"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        let segs: Vec<&str> = path
            .split('?')
            .next()
            .unwrap_or("")
            .split('/')
            .skip(1)
            .collect();
        self.operations
            .iter()
            .filter(|(m, t, _)| {
                m == method
                    && t.len() == segs.len()
                    && t.iter()
                        .zip(&segs)
                        .all(|(t, s)| t.starts_with('{') || t == s)
            })
            .max_by_key(|(_, t, _)| t.iter().filter(|t| !t.starts_with('{')).count())
            .map(|(_, _, op)| op)
    }

    /// Validates `body` as the response of `method path` with `status`: `Ok(None)` when
    /// the document has no JSON schema for that response (nothing to check), else the
    /// violations (empty when valid). `Err` when the document lacks the operation or status.
    pub fn validate(
        &mut self,
        method: &str,
        path: &str,
        status: u16,
        body: &Value,
    ) -> Result<Option<Vec<Violation>>, String> {
        let Some(op_id) = self.operation_id(method, path) else {
            return Err(format!("no operation in the document for {method} {path}"));
        };
        let key = (op_id.clone(), status);
        if !self.cache.contains_key(&key) {
            let validator = self.build(method, path, status)?;
            self.cache.insert(key.clone(), validator);
        }
        let Some(Some(validator)) = self.cache.get(&key) else {
            return Ok(None);
        };
        Ok(Some(
            validator
                .iter_errors(body)
                .map(|e| {
                    let at = e.instance_path().to_string();
                    Violation {
                        key: format!("{} {}", e.schema_path(), normalize_indices(&at)),
                        message: format!("{op_id} {status}: {e} at {at}"),
                    }
                })
                .collect(),
        ))
    }

    fn build(
        &self,
        method: &str,
        path: &str,
        status: u16,
    ) -> Result<Option<jsonschema::Validator>, String> {
        let Some(op) = self.operation(method, path) else {
            return Ok(None);
        };
        let responses = op.get("responses");
        let response = responses
            .and_then(|r| r.get(status.to_string()))
            .or_else(|| responses.and_then(|r| r.get(format!("{}XX", status / 100))))
            .or_else(|| responses.and_then(|r| r.get("default")));
        let Some(mut response) = response.cloned() else {
            return Err(format!(
                "status {status} is not documented for {method} {path}"
            ));
        };
        // `$ref: '#/components/responses/...'`
        if let Some(r) = response.get("$ref").and_then(Value::as_str) {
            let pointer = r.trim_start_matches("#/components");
            response = self
                .components
                .pointer(pointer)
                .cloned()
                .unwrap_or(Value::Null);
        }
        let Some(schema) = response
            .get("content")
            .and_then(Value::as_object)
            .and_then(|c| {
                c.iter()
                    .find(|(k, _)| k.starts_with("application/json"))
                    .map(|(_, v)| v)
            })
            .and_then(|c| c.get("schema"))
        else {
            return Ok(None);
        };
        let mut schema = schema.clone();
        convert_nullable(&mut schema);
        let root =
            json!({ "$ref": "#/x-response", "x-response": schema, "components": self.components });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&root)
            .map(Some)
            .map_err(|e| format!("schema of {method} {path} {status} does not compile: {e}"))
    }
}

/// Where real Okta (as recorded or documented in BEHAVIOR.md) departs from its official
/// document. Both conformance checks (schemathesis and the replay's validation) read the
/// document with these corrections; each one names its evidence.
pub struct Deviation {
    /// What is corrected.
    pub what: &'static str,
    /// Why: the evidence that real Okta answers this way.
    pub reason: &'static str,
    apply: fn(&mut Value) -> Option<()>,
}

/// List operations whose free-form query parameters (search/filter expressions, cursors,
/// limits) Okta rejects with 400 when malformed.
const LIST_OPERATIONS: &[&str] = &[
    "/api/v1/users",
    "/api/v1/groups",
    "/api/v1/apps",
    "/api/v1/groups/{groupId}/users",
    "/api/v1/groups/{groupId}/apps",
    // schemathesis case f76tKj: `limit=null` → 400 E0000029, as for the other lists
    "/api/v1/groups/rules",
    // seeded schemathesis cases tU2js7, 2e59eQ, TyvLbN: `limit=null` → 400 E0000029
    "/api/v1/users/{userId}/grants",
    "/api/v1/users/{userId}/clients/{clientId}/grants",
    "/api/v1/users/{userId}/clients/{clientId}/tokens",
];

pub const DEVIATIONS: &[Deviation] = &[
    Deviation {
        what: "updateUser/replaceUser may answer 412 when If-Match doesn't match",
        reason: "the document's If-Match header of these operations makes them conditional requests, and Okta's \
                 error catalog answers a stale ETag with 412 E0000231 \"ETag value doesn't match.\" (BEHAVIOR.md 1, \
                 3.2); the document lists no 412",
        apply: |d| {
            for method in ["post", "put"] {
                let pointer = format!("/paths/~1api~1v1~1users~1{{id}}/{method}/responses");
                d.pointer_mut(&pointer)?.as_object_mut()?.insert(
                    "412".into(),
                    json!({
                        "description": "Precondition Failed",
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                    }),
                );
            }
            Some(())
        },
    },
    Deviation {
        what: "every operation may answer 401 (invalid API token)",
        reason: "a wrong SSWS token gets 401 E0000011 on any endpoint (BEHAVIOR.md 2: okta-signin-widget \
                 ERROR_invalid_token.js, error catalog); the document has the `ErrorInvalidTokenProvided` example \
                 and lists 401 on 74 operations, but not on the users/groups/apps ones",
        apply: |d| {
            let error = json!({
                "description": "Unauthorized",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
            });
            for item in d.get_mut("paths")?.as_object_mut()?.values_mut() {
                for op in item.as_object_mut()?.values_mut() {
                    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut)
                    {
                        responses.entry("401").or_insert_with(|| error.clone());
                    }
                }
            }
            Some(())
        },
    },
    Deviation {
        what: "OktaUserGroupProfile.description may be null",
        reason: "every recorded group created without a description comes back with `\"description\": null` \
                 (26 responses in recordings/okta-sdk-python/test_groups_it; BEHAVIOR.md 1)",
        apply: |d| {
            d.pointer_mut("/components/schemas/OktaUserGroupProfile/properties/description")?
                .as_object_mut()?
                .insert("nullable".into(), Value::Bool(true));
            Some(())
        },
    },
    Deviation {
        what: "AppUser.externalId may be null",
        reason: "recorded app-user assignments carry `\"externalId\": null` (11 responses in \
                 recordings/okta-sdk-python); the document's own description says SSO apps don't populate it",
        apply: |d| {
            d.pointer_mut("/components/schemas/AppUser/properties/externalId")?
                .as_object_mut()?
                .insert("nullable".into(), Value::Bool(true));
            Some(())
        },
    },
    Deviation {
        what: "User._embedded values may be arrays",
        reason: "`GET /api/v1/users/{id}?expand=blocks` embeds `_embedded.blocks`, the listUserBlocks array \
                 (document getUser/listUserBlocks; BEHAVIOR.md 6.3), which the document's object-only \
                 additionalProperties can't express",
        apply: |d| {
            d.pointer_mut("/components/schemas/User/properties/_embedded")?
                .as_object_mut()?
                .insert(
                    "additionalProperties".into(),
                    json!({ "oneOf": [{ "type": "object" }, { "type": "array", "items": { "type": "object" } }] }),
                );
            Some(())
        },
    },
    Deviation {
        what: "a pending factor's _links.resend is an array of links",
        reason: "Okta answers an sms enrollment with `\"resend\":[{\"name\":\"sms\",\"href\":…}]` (recorded in \
                 okta-sdk-python test_factors_it/test_enroll_sms_factor); the document's LinksResend.resend \
                 is a single HrefObject",
        apply: |d| {
            d.pointer_mut("/components/schemas/LinksResend/properties")?
                .as_object_mut()?
                .insert(
                    "resend".into(),
                    json!({ "oneOf": [
                        { "$ref": "#/components/schemas/HrefObject" },
                        { "type": "array", "items": { "$ref": "#/components/schemas/HrefObject" } }
                    ] }),
                );
            Some(())
        },
    },
    Deviation {
        what: "Session.lastFactorVerification may be null",
        reason: "every recorded session of a user who signed in with a password only carries \
                 `\"lastFactorVerification\":null` (13 cassettes in recordings/okta-sdk-python/test_sessions_it)",
        apply: |d| {
            d.pointer_mut("/components/schemas/Session/properties/lastFactorVerification")?
                .as_object_mut()?
                .insert("nullable".into(), Value::Bool(true));
            Some(())
        },
    },
    Deviation {
        what: "a waiting push verification's profile values may be strings",
        reason: "the document's own example UserFactorVerifyPushTransactionWaiting answers \
                 `\"profile\":{\"credentialId\":\"jane.doe@example.com\"}`, which its schema \
                 UserFactorVerifyResponseWaiting (profile values typed as objects) rejects",
        apply: |d| {
            d.pointer_mut(
                "/components/schemas/UserFactorVerifyResponseWaiting/properties/profile",
            )?
            .as_object_mut()?
            .insert("additionalProperties".into(), json!({}));
            Some(())
        },
    },
    Deviation {
        what: "verifyFactor may answer 423 for a factor that is not active",
        reason: "Okta's error catalog has 423 E0000180 \"Factor id is currently not active.\" (BEHAVIOR.md 3.2) \
                 for verifying a factor still pending activation; the document lists no 423 for verifyFactor \
                 (seeded schemathesis case XABWXv: a push factor re-enrolled by enrollFactor, then verified)",
        apply: |d| {
            d.pointer_mut("/paths/~1api~1v1~1users~1{userId}~1factors~1{factorId}~1verify/post/responses")?
                .as_object_mut()?
                .insert(
                    "423".into(),
                    json!({
                        "description": "Locked",
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                    }),
                );
            Some(())
        },
    },
    Deviation {
        what: "list operations answer 400 with an Okta error for malformed search/filter/q/after/limit",
        reason: "Okta's error catalog (BEHAVIOR.md 3.2: E0000029 invalid paging, E0000030 invalid date, E0000031 \
                 invalid search criteria, E0000033 search and filter together) documents these 400s, which the \
                 document leaves out of listUsers/listGroups/listApplications/listGroupUsers/\
                 listAssignedApplicationsForGroup/listGroupRules/listUserGrants/listGrantsForUserAndClient/\
                 listRefreshTokensForUserAndClient",
        apply: |d| {
            for path in LIST_OPERATIONS {
                let pointer = format!(
                    "/paths/{}/get/responses",
                    path.replace('~', "~0").replace('/', "~1")
                );
                d.pointer_mut(&pointer)?.as_object_mut()?.insert(
                    "400".into(),
                    json!({
                        "description": "Bad Request",
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                    }),
                );
            }
            Some(())
        },
    },
];

/// Applies [`DEVIATIONS`] to the official document (an error if one no longer applies,
/// so a changed document can't silently skip a correction).
pub fn apply_deviations(doc: &mut Value) -> Result<(), String> {
    for d in DEVIATIONS {
        (d.apply)(doc)
            .ok_or_else(|| format!("deviation no longer applies to the document: {}", d.what))?;
    }
    Ok(())
}

/// The official document with [`DEVIATIONS`] applied, as JSON text.
pub fn corrected_document(path: &Path) -> Result<String, String> {
    let mut doc = load_document(path)?;
    apply_deviations(&mut doc)?;
    serde_json::to_string(&doc).map_err(|e| e.to_string())
}

/// The official document as JSON. Parsing its 89,000 YAML lines takes seconds in a debug
/// build and every test process needs it, so the parsed form is cached as JSON under
/// `target/conformance-cache`, keyed by the file's size and modification time.
fn load_document(path: &Path) -> Result<Value, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let name = path
        .file_name()
        .map_or_else(|| "document".into(), |n| n.to_string_lossy().into_owned());
    let dir = crate::support::workspace_root().join("target/conformance-cache");
    let cached = dir.join(format!("{name}.{}-{mtime}.json", meta.len()));
    if let Some(doc) = std::fs::read(&cached)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        return Ok(doc);
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value =
        serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    // best effort: write to a unique temporary name, then rename (tests run in parallel)
    if std::fs::create_dir_all(&dir).is_ok()
        && let Ok(json) = serde_json::to_vec(&doc)
    {
        let tmp = dir.join(format!("{name}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, json).is_ok() {
            let _ = std::fs::rename(&tmp, &cached);
        }
    }
    Ok(doc)
}

/// One schema violation: `key` (schema path + instance path without array indices)
/// identifies it across two bodies; `message` explains it.
#[derive(Debug, Clone)]
pub struct Violation {
    pub key: String,
    pub message: String,
}

fn normalize_indices(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                "[]"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// OpenAPI 3.0 `nullable: true` -> JSON Schema `null` alternative.
fn convert_nullable(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for child in m.values_mut() {
                convert_nullable(child);
            }
            if m.get("nullable") == Some(&Value::Bool(true)) {
                m.remove("nullable");
                if let Some(Value::String(t)) = m.get("type").cloned() {
                    m.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(e)) = m.get_mut("enum")
                        && !e.contains(&Value::Null)
                    {
                        e.push(Value::Null);
                    }
                } else {
                    let inner = Value::Object(std::mem::take(m));
                    m.insert("anyOf".into(), json!([inner, { "type": "null" }]));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(convert_nullable),
        _ => {}
    }
}
