//! Users: create, read, list, update, replace, delete.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::models::User;
use spindle_okta::users::{DeactivateOptions, UpdateOptions};
use spindle_okta::{Client, Raw};

use super::after_cursor;
use super::common::{Extra, NonEmpty, Page, Secret, body, yes};
use super::employees::user_status;
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::outputs::UserDeleted;
use crate::validate::Problem;

/// Profile attributes of a user other than `login` and `email`: Okta's standard attributes,
/// typed, plus any custom attribute defined in the org's user schema (kept as given). Setting an
/// attribute to `null` clears it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileAttributes {
    /// Given name (Okta's default schema requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub first_name: Option<String>,
    /// Family name (Okta's default schema requires it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub last_name: Option<String>,
    /// Middle name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Honorific prefix, such as "Dr.".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    /// Honorific suffix, such as "PhD".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
    /// Name to show to people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Casual name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// Secondary email address, often used for recovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(email, length(max = 100))]
    pub second_email: Option<String>,
    /// Job title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Relationship to the organization, such as "Employee" or "Contractor".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// Identifier the organization assigns, such as an HR employee number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    /// Organization name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Division.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Cost center.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_center: Option<String>,
    /// Okta id of the user's manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<String>,
    /// Display name of the user's manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Mobile phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 100))]
    pub mobile_phone: Option<String>,
    /// Primary phone number, such as a desk or home number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 100))]
    pub primary_phone: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub street_address: Option<String>,
    /// City or locality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 128))]
    pub city: Option<String>,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 128))]
    pub state: Option<String>,
    /// ZIP or postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 50))]
    pub zip_code: Option<String>,
    /// Country as an ISO 3166-1 alpha-2 code, such as "US".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 2, max = 2))]
    pub country_code: Option<String>,
    /// Full mailing address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 4096))]
    pub postal_address: Option<String>,
    /// Preferred language, such as "en-US".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    /// Locale for formatting, such as "en_US" (Okta's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Time zone, such as "America/Los_Angeles".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// URL of the user's online profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(url)]
    pub profile_url: Option<String>,
    /// Custom attributes of the org's user schema.
    #[serde(flatten)]
    pub custom: Extra,
}

/// The profile of a new user: `login` and `email` are required.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NewUserProfile {
    /// Unique sign-in name, usually an email address (5 to 100 characters; unique in the org
    /// regardless of case).
    #[schemars(length(min = 5, max = 100))]
    pub login: String,
    /// Primary email address.
    #[schemars(email, length(min = 5, max = 100))]
    pub email: String,
    /// Every other standard or custom attribute.
    #[serde(flatten)]
    pub attributes: ProfileAttributes,
}

/// A profile change: any attribute, including `login` and `email`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
pub struct UserProfileInput {
    /// Unique sign-in name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 5, max = 100))]
    pub login: Option<String>,
    /// Primary email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(email, length(min = 5, max = 100))]
    pub email: Option<String>,
    /// Every other standard or custom attribute.
    #[serde(flatten)]
    pub attributes: ProfileAttributes,
}

/// A password given in clear text (Okta checks it against the password policy).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordValue {
    /// The password. Never logged or echoed by Spindle.
    pub value: Secret,
}

/// Hash functions Okta can import password hashes of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[allow(missing_docs)]
pub enum HashAlgorithm {
    #[serde(rename = "BCRYPT")]
    Bcrypt,
    #[serde(rename = "SHA-512")]
    Sha512,
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-1")]
    Sha1,
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "PBKDF2")]
    Pbkdf2,
}

/// Where the salt went when the password was hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
#[allow(missing_docs)]
pub enum SaltOrder {
    Prefix,
    Postfix,
}

/// Key derivation of a PBKDF2 hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum DigestAlgorithm {
    Sha256Hmac,
    Sha512Hmac,
}

/// A password hash imported from another system; the user signs in with the original password.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PasswordHash {
    /// The hash function.
    pub algorithm: HashAlgorithm,
    /// The hash (base64, or the BCRYPT hash without its salt and settings).
    pub value: Secret,
    /// The salt, for salted hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Whether the salt was put before or after the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt_order: Option<SaltOrder>,
    /// Cost of a BCRYPT hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 20))]
    pub work_factor: Option<u32>,
    /// Iterations of a PBKDF2 hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 4096))]
    pub iteration_count: Option<u32>,
    /// Derived key size of a PBKDF2 hash, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub key_size: Option<u32>,
    /// Key derivation of a PBKDF2 hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<DigestAlgorithm>,
}

/// The only password import hook type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HookType {
    /// The org's password import inline hook.
    #[default]
    Default,
}

/// Verify the password with the org's password import inline hook at first sign-in.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordHook {
    /// Always `default`.
    #[serde(default, rename = "type")]
    pub hook_type: HookType,
}

/// A new user's password: in clear text, as an imported hash, or checked by an import hook.
/// Give exactly one of `value`, `hash` and `hook`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    /// The password in clear text (Okta checks it against the password policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Secret>,
    /// A hash imported from another system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<PasswordHash>,
    /// Verify the password with the org's import hook at first sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<PasswordHook>,
}

/// A recovery question and its answer.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryQuestion {
    /// The question, in the user's words.
    #[schemars(length(min = 1, max = 100))]
    pub question: String,
    /// The answer (compared without regard to case). Never logged or echoed by Spindle.
    pub answer: Secret,
}

/// Kinds of authentication provider a user's credentials can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProviderType {
    /// Okta itself.
    Okta,
    /// Active Directory.
    ActiveDirectory,
    /// LDAP.
    Ldap,
    /// A federated IdP (no password in Okta).
    Federation,
    /// A social IdP (no password in Okta).
    Social,
    /// Imported with a password hash.
    Import,
}

/// The authentication provider of a new user.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderInput {
    /// Kind of provider.
    #[serde(rename = "type")]
    pub provider_type: ProviderType,
    /// Name of the provider, such as the directory's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The credentials of a new or updated user.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialsInput {
    /// The password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordInput>,
    /// The recovery question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_question: Option<RecoveryQuestion>,
    /// The authentication provider (with the `provider` query parameter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderInput>,
}

/// A reference to a user type.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypeRef {
    /// Okta id of the user type (starts with `oty`).
    pub id: NonEmpty,
}

/// The body of creating a user.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewUserBody {
    /// The user's profile.
    pub profile: NewUserProfile,
    /// Password, recovery question or provider; without them the user activates by email link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<CredentialsInput>,
    /// Okta ids of groups to add the user to (at most 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 20))]
    pub group_ids: Option<Vec<NonEmpty>>,
    /// The user type; the org's default type when left out.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<TypeRef>,
    /// Realm to place the user in, for orgs that use realms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm_id: Option<NonEmpty>,
}

/// What the user must do at their next sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum NextLogin {
    /// Change their password (the password is created expired).
    #[serde(rename = "changePassword")]
    ChangePassword,
}

impl NextLogin {
    /// The value as Okta spells it.
    fn as_str(self) -> &'static str {
        match self {
            Self::ChangePassword => "changePassword",
        }
    }
}

/// Input of `post_create_a_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateUser {
    /// Activate the user right away; when false the user is created `STAGED`.
    #[serde(default = "yes")]
    pub activate: bool,
    /// Create the user with the authentication provider given in `body.credentials.provider`.
    #[serde(default)]
    pub provider: bool,
    /// Force a password change at first sign-in; needs `activate` true and a password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_login: Option<NextLogin>,
    /// The new user.
    pub body: NewUserBody,
}
impl Action for CreateUser {
    const SPEC: Spec = Spec {
        id: "post_create_a_user",
        title: "Create a User",
        operation: Operation::Write,
        entities: &["costCenter", "organization", "profile"],
        summary: "Creates an Okta user from a `profile` (attributes such as login, email, firstName and lastName as the org schema requires), with optional credentials (password, recovery question or provider), up to 20 `groupIds` and a user `type`. `activate` (default true) decides between `STAGED` and an activated user; `nextLogin=changePassword` forces a password change at first sign-in. Returns the new user with HTTP 200.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users",
        scopes: &["okta.users.manage"],
    };
    type Output = User;

    fn example() -> Value {
        json!({
            "activate": true,
            "body": {
                "profile": {
                    "login": "isaac.brock@example.com", "email": "isaac.brock@example.com",
                    "firstName": "Isaac", "lastName": "Brock", "mobilePhone": "+1-555-415-1337",
                    "department": "Engineering", "employeeNumber": "E1042", "costCenter": "CC-310"
                },
                "credentials": {"password": {"value": "tlpWENT2m-correct-horse"}},
                "groupIds": ["00g1emaKYZTWRYYRRTSK"]
            }
        })
    }

    fn check(&self) -> Vec<Problem> {
        check_create(self)
    }

    async fn run(self, client: &Client) -> Result<User, ExecuteError> {
        let mut request = spindle_okta::users::CreateUser::new(body(&self.body)?)
            .activate(self.activate)
            .provider(self.provider);
        if let Some(next_login) = self.next_login {
            request = request.next_login(next_login.as_str());
        }
        Ok(client.users().create(request).await?)
    }
}

fn check_password(credentials: Option<&CredentialsInput>, path: &str) -> Vec<Problem> {
    let Some(password) = credentials.and_then(|c| c.password.as_ref()) else {
        return Vec::new();
    };
    let given = [
        password.value.is_some(),
        password.hash.is_some(),
        password.hook.is_some(),
    ];
    if given.iter().filter(|g| **g).count() == 1 {
        Vec::new()
    } else {
        vec![Problem::new(
            path,
            "give exactly one of `value`, `hash` and `hook`",
        )]
    }
}

/// Problems of a user creation that the schema cannot express.
pub(crate) fn check_create(input: &CreateUser) -> Vec<Problem> {
    let mut problems = check_password(input.body.credentials.as_ref(), "body.credentials.password");
    if input.next_login.is_some() {
        if !input.activate {
            problems.push(Problem::new(
                "nextLogin",
                "needs `activate` to be true (Okta refuses it otherwise)",
            ));
        }
        let has_password = input
            .body
            .credentials
            .as_ref()
            .is_some_and(|c| c.password.is_some());
        if !has_password {
            problems.push(Problem::new(
                "nextLogin",
                "needs a password in body.credentials.password (Okta refuses it otherwise)",
            ));
        }
    }
    problems
}

/// Extra data a single-user read can embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UserExpand {
    /// The user's access blocks.
    Blocks,
    /// The user's classification (Early Access in Okta).
    Classification,
}

impl UserExpand {
    /// The value as Okta spells it.
    fn as_str(self) -> &'static str {
        match self {
            Self::Blocks => "blocks",
            Self::Classification => "classification",
        }
    }
}

/// Input of `get_retrieve_a_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetUser {
    /// The user: Okta id, login, or a login short name that is unambiguous in the org.
    pub id: NonEmpty,
    /// Embed extra data under `_embedded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<UserExpand>,
}
impl Action for GetUser {
    const SPEC: Spec = Spec {
        id: "get_retrieve_a_user",
        title: "Retrieve a User",
        operation: Operation::Read,
        entities: &["user", "profile", "credential"],
        summary: "Fetches a single Okta user by `id`, login, or unambiguous login short name (`me` refers to the caller). Optional `expand=blocks` embeds any sign-in blocks. Returns the user's status and any in-progress transition, profile attributes, credential summary (passwords are never shown), user type, timestamps and the lifecycle links valid for the current status; Okta also sends an ETag for conditional updates.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users/{id}",
        scopes: &["okta.users.read"],
    };
    type Output = User;

    fn example() -> Value {
        json!({"id": "isaac.brock@example.com", "expand": "blocks"})
    }

    async fn run(self, client: &Client) -> Result<User, ExecuteError> {
        let expand = self.expand.map(UserExpand::as_str);
        Ok(client.users().get(self.id.as_str(), expand).await?)
    }
}

/// Sort order of a user search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending (Okta's default).
    Asc,
    /// Descending.
    Desc,
}

impl SortOrder {
    /// The value as Okta spells it.
    fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// Input of `get_list_all_users`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListUsers {
    /// Okta search expression over any profile attribute and `status`, `created`,
    /// `lastUpdated`..., e.g. `profile.department eq "Sales" and status eq "ACTIVE"`. Unlike a
    /// plain listing it also finds `DEPROVISIONED` users. Not together with `filter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// Okta filter expression over `status`, `lastUpdated`, `id` and `profile.login`, `email`,
    /// `firstName`, `lastName`, e.g. `status eq "ACTIVE"`. Not together with `search`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Prefix matched against first name, last name and email, for people pickers. Not paginated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Users per page (Okta's default is 200, or 10 with `q`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 200), extend("default" = 200))]
    pub limit: Option<u32>,
    /// Attribute to sort a `search` by, e.g. `profile.lastName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// Sort direction of a `search` with `sortBy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "asc"))]
    pub sort_order: Option<SortOrder>,
    /// Only return these attributes, e.g. `status,profile:(firstName,city)` (`id` always comes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<String>,
    /// Embed extra data; Okta supports `classification` (Early Access).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expand: Option<String>,
}
impl Action for ListUsers {
    const SPEC: Spec = Spec {
        id: "get_list_all_users",
        title: "List all Users",
        operation: Operation::Read,
        entities: &["user", "profile", "credential"],
        summary: "Lists users in the Okta org with Okta's own query options: `q` for a quick prefix match on name or email, `filter` for a limited expression on status, id, login, email, names or `lastUpdated`, or `search` for rich queries with `sortBy` and `sortOrder`. Without `filter` or `search`, deactivated (`DEPROVISIONED`) users are left out. Pages default to 200 users (10 with `q`, which is not paginated) and continue via the opaque `after` cursor.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users",
        scopes: &["okta.users.read"],
    };
    type Output = Page<Raw<User>>;

    fn example() -> Value {
        json!({"search": "profile.department eq \"Engineering\" and status eq \"ACTIVE\"", "limit": 200, "sortBy": "profile.lastName", "sortOrder": "asc"})
    }

    fn check(&self) -> Vec<Problem> {
        check_list(self)
    }

    after_cursor!();

    async fn run(self, client: &Client) -> Result<Page<Raw<User>>, ExecuteError> {
        let query = spindle_okta::users::ListUsers {
            q: self.q,
            filter: self.filter,
            search: self.search,
            limit: self.limit,
            sort_by: self.sort_by,
            sort_order: self.sort_order.map(|order| order.as_str().to_owned()),
            fields: self.fields,
            expand: self.expand,
            after: self.after.map(String::from),
        };
        // The users are passed on as Okta sent them: decoding them into models only to encode
        // them again would cost most of a listing's CPU.
        Ok(client.users().list_page_raw(query).await?.into())
    }
}

pub(crate) fn check_list(input: &ListUsers) -> Vec<Problem> {
    if input.search.is_some() && input.filter.is_some() {
        vec![Problem::new(
            "filter",
            "cannot be combined with `search` (Okta refuses both at once)",
        )]
    } else {
        Vec::new()
    }
}

/// The body of updating or replacing a user.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserChangeBody {
    /// Profile attributes to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<UserProfileInput>,
    /// Password or recovery question to set (an admin change; the old password is not needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<CredentialsInput>,
    /// The user type; only a replace can change it.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub user_type: Option<TypeRef>,
    /// Realm of the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm_id: Option<NonEmpty>,
}

/// Input of `post_update_a_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// The user: Okta id, login, or an unambiguous login short name.
    pub id: NonEmpty,
    /// Check a new password against the minimum-age and history rules of the password policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// The attributes to change; attributes left out keep their value.
    pub body: UserChangeBody,
}
impl Action for UpdateUser {
    const SPEC: Spec = Spec {
        id: "post_update_a_user",
        title: "Update a User",
        operation: Operation::Write,
        entities: &["manager", "organization", "profile"],
        summary: "Partially updates a user, given `id`, login or short login: profile attributes you send are changed and all others are left as they are; credentials such as a new password or recovery question can also be set. The user `type` cannot be changed here. Optional `strict` applies password age and history rules, and `If-Match` with an ETag guards against concurrent edits. Returns the updated user.",
        server: Server::Management,
        method: HttpMethod::Post,
        path: "/api/v1/users/{id}",
        scopes: &["okta.users.manage"],
    };
    type Output = User;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR", "body": {"profile": {"title": "Staff Engineer", "department": "Platform"}}})
    }

    fn check(&self) -> Vec<Problem> {
        check_update(self)
    }

    async fn run(self, client: &Client) -> Result<User, ExecuteError> {
        let request = body(&self.body)?;
        let options = UpdateOptions {
            strict: self.strict,
            ..UpdateOptions::default()
        };
        Ok(client
            .users()
            .update(self.id.as_str(), &request, options)
            .await?)
    }
}

fn check_update(input: &UpdateUser) -> Vec<Problem> {
    check_password(input.body.credentials.as_ref(), "body.credentials.password")
}

fn check_replace(input: &ReplaceUser) -> Vec<Problem> {
    check_password(input.body.credentials.as_ref(), "body.credentials.password")
}

/// Input of `put_replace_a_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceUser {
    /// The user: Okta id, login, or an unambiguous login short name.
    pub id: NonEmpty,
    /// Check a new password against the minimum-age and history rules of the password policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
    /// The user's new state. Profile attributes left out are cleared.
    pub body: UserChangeBody,
}
impl Action for ReplaceUser {
    const SPEC: Spec = Spec {
        id: "put_replace_a_user",
        title: "Replace a User",
        operation: Operation::Write,
        entities: &["manager", "organization", "profile"],
        summary: "Overwrites a user's profile, credentials or both in full, given `id`, login or short login; profile attributes missing from the body are removed, so send the full profile or use the partial update action instead. This is the only way for an admin to change a user's `type`. Optional `strict` applies password policy checks and `If-Match` guards against concurrent edits. Returns the updated user.",
        server: Server::Management,
        method: HttpMethod::Put,
        path: "/api/v1/users/{id}",
        scopes: &["okta.users.manage"],
    };
    type Output = User;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR", "body": {"profile": {
            "login": "isaac.brock@example.com", "email": "isaac.brock@example.com",
            "firstName": "Isaac", "lastName": "Brock", "title": "Staff Engineer"
        }}})
    }

    fn check(&self) -> Vec<Problem> {
        check_replace(self)
    }

    async fn run(self, client: &Client) -> Result<User, ExecuteError> {
        let request = body(&self.body)?;
        let options = UpdateOptions {
            strict: self.strict,
            ..UpdateOptions::default()
        };
        Ok(client
            .users()
            .replace(self.id.as_str(), &request, options)
            .await?)
    }
}

/// Input of `delete_a_user`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeleteUser {
    /// The user: Okta id, login, or an unambiguous login short name. A user not yet
    /// `DEPROVISIONED` is deactivated by this call; a deprovisioned one is deleted for good.
    pub id: NonEmpty,
    /// Email the admins about the deactivation.
    #[serde(default)]
    pub send_email: bool,
}
impl Action for DeleteUser {
    const SPEC: Spec = Spec {
        id: "delete_a_user",
        title: "Delete a User",
        operation: Operation::Write,
        entities: &["error cause", "user"],
        summary: "Deletes an Okta user identified by `id` (user id, login, or an unambiguous login short name). Permanent deletion only happens for a user already in `DEPROVISIONED` status; for any other status the call deactivates the user instead, so a second call is needed to delete. Optional `sendEmail` (default false) notifies admins, and `Prefer: respond-async` requests background processing. Okta returns no body; Spindle reports the outcome as a structured result.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{id}",
        scopes: &["okta.users.manage"],
    };
    type Output = UserDeleted;

    fn example() -> Value {
        json!({"id": "00ub0oNGTSWTBKOLGLNR", "sendEmail": false})
    }

    async fn run(self, client: &Client) -> Result<UserDeleted, ExecuteError> {
        // Okta deletes only a user that is already deactivated and deactivates any other, with the
        // same answer: the status read first tells which one this call did.
        let before = user_status(client, &self.id).await?;
        let options = DeactivateOptions {
            send_email: Some(self.send_email),
            ..DeactivateOptions::default()
        };
        client.users().delete(self.id.as_str(), options).await?;
        let deleted = before.as_deref() == Some("DEPROVISIONED");
        Ok(UserDeleted {
            user_id: self.id.into(),
            deleted,
            status: (!deleted).then(|| "DEPROVISIONED".to_owned()),
        })
    }
}
