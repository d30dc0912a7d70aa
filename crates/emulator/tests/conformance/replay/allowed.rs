//! Differences between the recordings and the emulator that are explained, each with its
//! reason; anything else fails the replay.

/// An explained difference: where it applies and why it is acceptable.
pub(super) struct Allowed {
    /// `METHOD /path/pattern` of the exchange (`*` = id), or `*` for any.
    pub(super) endpoint: &'static str,
    /// What differs: `status`, `schema`, or a shape path such as `$._links.schema` (a key
    /// and everything below it).
    pub(super) what: &'static str,
    /// Only for exchanges recorded in this year (`None`: any).
    pub(super) year: Option<u16>,
    /// Only when the recorded body has this JSON pointer (an org feature marker).
    pub(super) recorded_has: Option<&'static str>,
    /// Why the difference is not the emulator's fault (shown in the report).
    pub(super) reason: &'static str,
}

pub(super) const ALLOWED: &[Allowed] = &[
    Allowed {
        endpoint: "*",
        what: "$.credentials.emails",
        year: None,
        recorded_has: Some("/realmId"),
        reason: "the only recorded users without `credentials.emails` (2025 forgot_password and session cassettes) \
                 come from an org with Okta Realms (`realmId` on every user, other type ids); users of every other \
                 recorded org carry it, as the emulator does",
    },
    Allowed {
        endpoint: "*",
        what: "$.credentials.emails",
        year: Some(2020),
        recorded_has: None,
        reason: "users recorded in 2020 carry `credentials.emails`; Okta dropped it by the 2025 recordings and \
                 the document's UserCredentials has none, so the emulator follows 2025",
    },
    Allowed {
        endpoint: "*",
        what: "$[].credentials.emails",
        year: Some(2020),
        recorded_has: None,
        reason: "see `$.credentials.emails` (2020 vs 2025 recordings)",
    },
    Allowed {
        endpoint: "*",
        what: "$._links.resetFactors",
        year: Some(2020),
        recorded_has: None,
        reason: "Okta added the `resetFactors` user link between the 2020 and the 2025 recordings; the emulator \
                 follows 2025",
    },
    Allowed {
        endpoint: "*",
        what: "$._links.forgotPassword",
        year: Some(2020),
        recorded_has: None,
        reason: "Okta added the `forgotPassword` link for ACTIVE password users between the 2020 and the 2025 \
                 recordings (2020 shows it once in nine); the emulator follows 2025",
    },
    Allowed {
        endpoint: "POST /api/v1/users/*/lifecycle/deactivate",
        what: "status",
        year: None,
        recorded_has: None,
        reason: "cassettes recorded in 2020 show 204 without a body; the 2025 cassettes and BEHAVIOR.md \
                 (HAR user-get/user-suspend) show today's 200 with `{}`, which the emulator follows",
    },
    Allowed {
        endpoint: "*",
        what: "$.realmId",
        year: None,
        recorded_has: None,
        reason: "2025 recordings carry `realmId` (Okta Realms, a feature of that org); the official document's \
                 User schema has no such property",
    },
    Allowed {
        endpoint: "*",
        what: "$[].realmId",
        year: None,
        recorded_has: None,
        reason: "see `$.realmId`",
    },
    Allowed {
        endpoint: "POST /api/v1/users",
        what: "$.statusChanged",
        year: None,
        recorded_has: None,
        reason: "a user created STAGED has `statusChanged: null` in the 2017 HAR (BEHAVIOR.md 6.1) and the 2020 \
                 cassettes but a timestamp in 2025 ones; the document allows both (nullable date-time)",
    },
    Allowed {
        endpoint: "GET /api/v1/users/*",
        what: "$.statusChanged",
        year: None,
        recorded_has: None,
        reason: "see POST /api/v1/users: a STAGED user's statusChanged is null or a timestamp depending on the year",
    },
    Allowed {
        endpoint: "PUT /api/v1/users/*",
        what: "$.statusChanged",
        year: None,
        recorded_has: None,
        reason: "see POST /api/v1/users: a STAGED user's statusChanged is null or a timestamp depending on the year",
    },
    Allowed {
        endpoint: "POST /api/v1/users/*",
        what: "$.statusChanged",
        year: None,
        recorded_has: None,
        reason: "see POST /api/v1/users: a STAGED user's statusChanged is null or a timestamp depending on the year",
    },
    Allowed {
        endpoint: "GET /api/v1/users/*/blocks",
        what: "status",
        year: None,
        recorded_has: None,
        reason: "the recording org answered 401 E0000015 (feature not enabled there); the document's listUserBlocks \
                 answers 200 with a list, as the emulator does",
    },
];
