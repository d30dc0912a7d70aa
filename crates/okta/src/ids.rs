//! Id newtypes, so that a group id cannot be passed where a user id is expected.
//!
//! They are transparent strings on the wire. Ids are percent-encoded when placed in a path,
//! so a login (`GET /users/{login}`) works as a [`UserId`] too.

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "schemars", schemars(transparent))]
        pub struct $name(pub String);

        impl $name {
            /// Wraps an id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
        impl From<&$name> for $name {
            fn from(s: &$name) -> Self {
                s.clone()
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

id_type! {
    /// A user id (`00u...`), or a login / login short name where Okta accepts one.
    UserId,
    /// A group id (`00g...`).
    GroupId,
    /// A group rule id (`0pr...`).
    GroupRuleId,
    /// A factor id.
    FactorId,
    /// A push-verification transaction id.
    TransactionId,
    /// An OAuth 2.0 client (application) id.
    ClientId,
    /// A consent grant id (`oag...`).
    GrantId,
    /// A refresh token id.
    TokenId,
    /// A user type id (`oty...`).
    UserTypeId,
    /// An application id (`0oa...`).
    AppId,
    /// An identity provider id.
    IdpId,
    /// An Aerial account id.
    AccountId,
    /// An Okta org id as known to Aerial.
    OrgId,
}
