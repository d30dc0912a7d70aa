//! Deterministic synthetic org generator (`--users N --groups G --seed S`).
//!
//! The same `(users, groups, seed)` always yields the same org, ids included (the RNG is our own
//! SplitMix64, independent of crate versions). Users get names, logins, emails, phones, titles,
//! departments, divisions, cost centers, employee numbers, locations, a manager hierarchy
//! (`managerId`/`manager` point at an earlier user: a tree rooted at user 0), custom attributes
//! declared in the org's user schema (`startDate`, `employmentType`, `isContractor`, `skills`
//! for everyone; `workerId` (unique), `badgeNumber`, `githubUsername` for some), and a mix of statuses
//! and timestamps. Groups are department, location and team groups (about one in ten an
//! `APP_GROUP` imported from a directory app), with memberships that follow the users'
//! attributes. Timestamps are spread over the five years before a fixed date, so they don't
//! depend on when the org is generated.

use serde_json::{Map, Value, json};

use crate::store::{DEFAULT_USER_TYPE, GroupType, Org, Status, User};
use crate::util::{Rng, fmt_date, okta_id};

mod data;

use data::{DEPARTMENTS, FIRST, LAST, LOCATIONS, SKILLS, TEAM_WORDS};

/// 2026-01-01T00:00:00Z: generated timestamps fall in the five years before it.
const EPOCH_END: i64 = 1_767_225_600;
const FIVE_YEARS: i64 = 5 * 365 * 86_400;

fn pick_status(rng: &mut Rng) -> Status {
    match rng.below(1000) {
        0..850 => Status::Active,
        850..890 => Status::Staged,
        890..920 => Status::Provisioned,
        920..940 => Status::Suspended,
        940..950 => Status::LockedOut,
        950..960 => Status::PasswordExpired,
        960..970 => Status::Recovery,
        _ => Status::Deprovisioned,
    }
}

fn ascii_login_part(s: &str) -> String {
    crate::util::fold(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Generates an org with `users` users and `groups` groups (besides `Everyone`) from `seed`.
pub(crate) fn generate(users: usize, groups: usize, seed: u64) -> Org {
    let mut rng = Rng::new(seed);
    let mut org = Org::new(seed, EPOCH_END - FIVE_YEARS - 86_400);
    if users > 0 {
        declare_custom_attributes(&mut org);
    }
    let domain = format!(
        "example{}.com",
        if seed == 1 {
            String::new()
        } else {
            format!("-{}", seed % 10_000)
        }
    );

    // Groups first: department groups, location groups, then teams.
    let mut dept_groups = Vec::new();
    let mut loc_groups = Vec::new();
    let mut team_groups = Vec::new();
    for i in 0..groups {
        let created = EPOCH_END - FIVE_YEARS + rng.below(FIVE_YEARS as u64 / 2) as i64;
        let (name, desc, role) = if i < DEPARTMENTS.len() {
            let d = DEPARTMENTS[i].0;
            (d.to_owned(), format!("Everyone in {d}"), 0)
        } else if i < DEPARTMENTS.len() + LOCATIONS.len() {
            let l = LOCATIONS[i - DEPARTMENTS.len()].0;
            (format!("Office - {l}"), format!("People based in {l}"), 1)
        } else {
            let w = TEAM_WORDS[i % TEAM_WORDS.len()];
            (
                format!("Team {w} {i}"),
                format!("Project team {w} ({i})"),
                2,
            )
        };
        let mut profile = Map::new();
        let app_group = role == 2 && i % 10 == 3;
        let name = if app_group {
            format!("AD {name}")
        } else {
            name
        };
        profile.insert("name".into(), Value::from(name));
        profile.insert("description".into(), Value::from(desc));
        let (kind, source) = if app_group {
            (GroupType::App, Some("0oa1directoryimport0".to_owned()))
        } else {
            (GroupType::Okta, None)
        };
        let seq = org.insert_group(kind, profile, created, source);
        if let Some(g) = org.groups.get_mut(&seq) {
            g.last_updated = created + rng.below(86_400 * 30) as i64;
        }
        match role {
            0 => dept_groups.push(seq),
            1 => loc_groups.push(seq),
            _ => team_groups.push(seq),
        }
    }

    let first_seq = org.reserve(users as u64);
    let ctx = Ctx {
        seed,
        salt: org.salt,
        first_seq,
        domain: &domain,
        teams: team_groups.len(),
    };
    // Every user is a pure function of (seed, index): generate in parallel, insert in order.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = users.div_ceil(threads).max(1);
    let generated: Vec<Vec<Generated>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..users)
            .step_by(chunk)
            .map(|start| {
                let ctx = &ctx;
                scope.spawn(move || {
                    (start..(start + chunk).min(users))
                        .map(|i| gen_user(ctx, i))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut last_membership: std::collections::HashMap<u64, i64> = std::collections::HashMap::new();
    for g in generated.into_iter().flatten() {
        let seq = g.user.seq;
        let created = g.user.created;
        org.insert_user_folded(g.user, g.folded_login);
        let mut join = |org: &mut Org, group: Option<&u64>| {
            if let Some(group) = group {
                org.insert_member(*group, seq);
                let e = last_membership.entry(*group).or_insert(0);
                *e = (*e).max(created);
            }
        };
        join(&mut org, dept_groups.get(g.dept));
        join(&mut org, loc_groups.get(g.loc));
        for t in g.teams {
            join(&mut org, team_groups.get(t));
        }
    }
    for (g, t) in last_membership {
        if let Some(group) = org.groups.get_mut(&g) {
            group.last_membership_updated = group.last_membership_updated.max(t);
        }
    }
    // The generated baseline predates the emulator's start: it is not in the System Log.
    org.events.clear();
    org
}

/// A last name as generated users have.
pub(crate) fn last_name(rng: &mut Rng) -> &'static str {
    LAST[rng.below(LAST.len() as u64) as usize]
}

/// A project team's name, `Team {word} {n}`.
pub(crate) fn team_name(rng: &mut Rng, n: u64) -> String {
    format!("Team {} {n}", rng.pick(TEAM_WORDS))
}

/// The department names of synthetic users (`profile.department`), which are also the names of
/// the department groups.
pub(crate) fn departments() -> impl Iterator<Item = &'static str> {
    DEPARTMENTS.iter().map(|(d, _, _)| *d)
}

/// A department's division and titles, if it is one of [`departments`].
pub(crate) fn department(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    DEPARTMENTS
        .iter()
        .find(|(d, _, _)| *d == name)
        .map(|(_, div, titles)| (*div, *titles))
}

/// The custom user attributes of a generated org with users, declared in the default user
/// type's schema (Okta refuses a profile property its schema lacks). An org without users is a
/// new Okta org: its schema is Okta's template.
fn declare_custom_attributes(org: &mut Org) {
    let at = org
        .user_schemas
        .get(DEFAULT_USER_TYPE)
        .map_or(0, |s| s.created);
    let body = json!({"definitions": {"custom": {"properties": {
        "startDate": {"title": "Start date", "type": "string", "description": "First day of employment (YYYY-MM-DD)"},
        "employmentType": {"title": "Employment type", "type": "string", "enum": ["FULL_TIME", "PART_TIME", "CONTRACTOR", "INTERN"]},
        "isContractor": {"title": "Contractor", "type": "boolean"},
        "skills": {"title": "Skills", "type": "array", "items": {"type": "string"}},
        "githubUsername": {"title": "GitHub username", "type": "string", "maxLength": 39},
        "workerId": {"title": "Worker ID", "type": "string", "unique": true},
        "badgeNumber": {"title": "Badge number", "type": "integer"},
    }}}});
    if let Some(schema) = org.user_schemas.get_mut(DEFAULT_USER_TYPE)
        && schema.apply(&body, at).is_ok()
    {
        schema.mark_unique("workerId");
    }
}

/// A new hire for user `seq` (its id is the one [`Org::next_id`] gave that seq): a profile like a
/// generated user's, drawn from `seed`, ACTIVE with a password, created `now`, reporting to
/// `manager` (`(id, display name)`) when given. The login is `first.last{seq}@{domain}`.
pub(crate) fn hire(
    salt: u64,
    seed: u64,
    seq: u64,
    domain: &str,
    manager: Option<(String, String)>,
    now: i64,
) -> User {
    let ctx = Ctx {
        seed,
        salt,
        first_seq: 0,
        domain,
        teams: 0,
    };
    // Index `seq` of the seed's stream: never 0 (the CEO), and `first_seq + i` is `seq`.
    let i = usize::try_from(seq.max(1)).unwrap_or(usize::MAX);
    let mut u = gen_user(&ctx, i).user;
    u.seq = seq;
    u.id = okta_id("00u", salt, seq);
    u.status = Status::Active;
    u.created = now;
    u.activated = Some(now);
    u.status_changed = Some(now);
    u.last_login = None;
    u.last_updated = now;
    u.password_changed = Some(now);
    u.password = Some(format!("Churn-{seed}-{seq}x"));
    u.profile.remove("managerId");
    u.profile.remove("manager");
    if let Some((id, name)) = manager {
        u.profile.insert("managerId".into(), Value::from(id));
        u.profile.insert("manager".into(), Value::from(name));
    }
    u.profile
        .insert("startDate".into(), Value::from(fmt_date(now)));
    u
}

/// `workerId` (unique), `badgeNumber` and `githubUsername` for some users: drawn from a stream
/// of their own, so the other fields of every seed's org stay as they were.
fn add_badge_attributes(
    profile: &mut Map<String, Value>,
    seed: u64,
    i: usize,
    first: &str,
    last: &str,
) {
    let mut rng = Rng::new(crate::util::mix(seed ^ 0x5eed_ba06) ^ crate::util::mix(i as u64 + 1));
    if rng.below(10) < 8 {
        profile.insert("workerId".into(), Value::from(format!("W{:07}", i + 1)));
    }
    if rng.below(10) < 6 {
        profile.insert("badgeNumber".into(), Value::from(10_000 + i as u64));
    }
    if rng.below(10) < 4 {
        let handle = format!(
            "{}{}",
            ascii_login_part(first),
            ascii_login_part(last).get(..1).unwrap_or_default()
        );
        profile.insert(
            "githubUsername".into(),
            Value::from(format!("{handle}-{i}")),
        );
    }
}

struct Ctx<'a> {
    seed: u64,
    salt: u64,
    first_seq: u64,
    domain: &'a str,
    teams: usize,
}

struct Generated {
    user: User,
    folded_login: String,
    dept: usize,
    loc: usize,
    teams: Vec<usize>,
}

fn user_rng(seed: u64, i: usize) -> Rng {
    Rng::new(crate::util::mix(seed) ^ crate::util::mix(i as u64 + 1))
}

/// First and last name of user `i` (the first two draws of its RNG).
fn name_of(seed: u64, i: usize) -> (&'static str, &'static str) {
    let mut rng = user_rng(seed, i);
    let first = *rng.pick(FIRST);
    let last = *rng.pick(LAST);
    (first, last)
}

fn gen_user(ctx: &Ctx<'_>, i: usize) -> Generated {
    let mut rng = user_rng(ctx.seed, i);
    let first = *rng.pick(FIRST);
    let last = *rng.pick(LAST);
    let dept_ix = rng.below(DEPARTMENTS.len() as u64) as usize;
    let (dept, division, titles) = DEPARTMENTS[dept_ix];
    let loc_ix = rng.below(LOCATIONS.len() as u64) as usize;
    let (city, state, country, zip, street, tz) = LOCATIONS[loc_ix];
    let status = if i == 0 {
        Status::Active
    } else {
        pick_status(&mut rng)
    };
    let created = EPOCH_END - FIVE_YEARS + rng.below(FIVE_YEARS as u64) as i64;
    let login = format!(
        "{}.{}{}@{}",
        ascii_login_part(first),
        ascii_login_part(last),
        i,
        ctx.domain
    )
    .to_lowercase();
    let seq = ctx.first_seq + i as u64;
    let id = okta_id("00u", ctx.salt, seq);
    let title = if i == 0 {
        "Chief Executive Officer"
    } else {
        *rng.pick(titles)
    };
    let mut profile = Map::with_capacity(32);
    profile.insert("firstName".into(), Value::from(first));
    profile.insert("lastName".into(), Value::from(last));
    profile.insert(
        "mobilePhone".into(),
        Value::from(format!(
            "+1-555-{:03}-{:04}",
            rng.below(1000),
            rng.below(10_000)
        )),
    );
    profile.insert("secondEmail".into(), Value::Null);
    profile.insert("login".into(), Value::from(login.clone()));
    profile.insert("email".into(), Value::from(login.clone()));
    profile.insert("displayName".into(), Value::from(format!("{first} {last}")));
    profile.insert(
        "primaryPhone".into(),
        Value::from(format!(
            "+1-555-{:03}-{:04}",
            rng.below(1000),
            rng.below(10_000)
        )),
    );
    profile.insert("title".into(), Value::from(title));
    profile.insert("department".into(), Value::from(dept));
    profile.insert("division".into(), Value::from(division));
    profile.insert("organization".into(), Value::from("Example Corp"));
    profile.insert(
        "costCenter".into(),
        Value::from(format!("CC-{}{:02}", 100 + dept_ix * 10, rng.below(10))),
    );
    profile.insert(
        "employeeNumber".into(),
        Value::from(format!("E{:06}", 100_000 + i)),
    );
    let contractor = rng.below(10) == 0;
    profile.insert(
        "userType".into(),
        Value::from(if contractor { "Contractor" } else { "Employee" }),
    );
    if i > 0 {
        // A tree: each user reports to an earlier user, managers clustered near the top.
        let span = (i as u64 / 6).max(1);
        let m = rng.below(span) as usize;
        let (mf, ml) = name_of(ctx.seed, m);
        profile.insert(
            "managerId".into(),
            Value::from(okta_id("00u", ctx.salt, ctx.first_seq + m as u64)),
        );
        profile.insert("manager".into(), Value::from(format!("{mf} {ml}")));
    }
    profile.insert("streetAddress".into(), Value::from(street));
    profile.insert("city".into(), Value::from(city));
    profile.insert("state".into(), Value::from(state));
    profile.insert("zipCode".into(), Value::from(zip));
    profile.insert("countryCode".into(), Value::from(country));
    profile.insert("timezone".into(), Value::from(tz));
    profile.insert("locale".into(), Value::from("en_US"));
    profile.insert("startDate".into(), Value::from(fmt_date(created)));
    profile.insert(
        "employmentType".into(),
        Value::from(if contractor {
            "CONTRACTOR"
        } else {
            "FULL_TIME"
        }),
    );
    profile.insert("isContractor".into(), Value::from(contractor));
    let n_skills = 1 + rng.below(3) as usize;
    let skills: Vec<&str> = (0..n_skills).map(|_| *rng.pick(SKILLS)).collect();
    profile.insert("skills".into(), json!(skills));
    add_badge_attributes(&mut profile, ctx.seed, i, first, last);

    let pending = matches!(status, Status::Staged | Status::Provisioned);
    let has_pw = !pending || rng.below(2) == 0;
    let activated = (!pending).then(|| created + rng.below(86_400 * 7) as i64);
    let status_changed = (status != Status::Staged)
        .then(|| activated.unwrap_or(created) + rng.below(86_400 * 90) as i64);
    let last_login = (activated.is_some() && rng.below(5) > 0)
        .then(|| status_changed.unwrap_or(created) + rng.below(86_400 * 30) as i64);
    let last_updated = status_changed
        .unwrap_or(created)
        .max(last_login.unwrap_or(0));
    let recovery = (rng.below(3) == 0).then(|| {
        (
            "What is the food you least liked as a child?".to_owned(),
            "broccoli".to_owned(),
        )
    });
    // An unused draw that keeps each seed's random stream, and so every later field of its org,
    // stable across versions: tests and benchmarks name orgs by seed.
    let _ = rng.below(3);
    let teams = if ctx.teams == 0 {
        Vec::new()
    } else {
        (0..rng.below(3))
            .map(|_| rng.below(ctx.teams as u64) as usize)
            .collect()
    };
    let folded_login = login;
    Generated {
        user: User {
            seq,
            id,
            status,
            created,
            activated,
            status_changed,
            last_login,
            last_updated,
            password_changed: has_pw.then_some(activated.unwrap_or(created)),
            type_id: DEFAULT_USER_TYPE.to_owned(),
            profile,
            password: has_pw.then(|| format!("Synthetic-{}-{i}x", ctx.seed)),
            recovery_question: recovery,
            provider_type: "OKTA".into(),
            provider_name: "OKTA".into(),
            blocks: Vec::new(),
            idps: Vec::new(),
            sessions_revoked: 0,
            oauth_tokens_revoked: 0,
        },
        // Logins are lower-case ASCII already: folding is the identity.
        folded_login,
        dept: dept_ix,
        loc: loc_ix,
        teams,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_org() {
        let a = generate(300, 30, 7);
        let b = generate(300, 30, 7);
        let c = generate(300, 30, 8);
        let ids = |o: &Org| {
            o.users
                .values()
                .map(|u| (u.id.clone(), u.login().to_owned(), u.status))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&c));
        assert_eq!(a.users.len(), 300);
        assert_eq!(a.groups.len(), 31);
    }

    #[test]
    fn org_is_realistic() {
        let org = generate(2000, 40, 3);
        let statuses: std::collections::HashSet<_> = org.users.values().map(|u| u.status).collect();
        assert!(statuses.len() >= 6, "a mix of statuses: {statuses:?}");
        // Manager hierarchy: every managerId points at an existing user.
        let with_manager = org
            .users
            .values()
            .filter_map(|u| u.profile.get("managerId").and_then(Value::as_str))
            .filter(|m| org.user_seq_by_id(m).is_some())
            .count();
        assert_eq!(with_manager, 1999);
        // Logins are unique.
        let logins: std::collections::HashSet<_> =
            org.users.values().map(|u| u.login().to_owned()).collect();
        assert_eq!(logins.len(), 2000);
        assert!(org.groups.values().any(|g| g.kind == GroupType::App));
        let members: usize = org.members.values().map(|m| m.len()).sum();
        assert!(
            members >= 2000 * 2,
            "department and location memberships: {members}"
        );
    }

    #[test]
    fn custom_attributes_are_declared_and_every_profile_passes_its_schema() {
        let org = generate(500, 10, 5);
        let schema = org.user_schema(DEFAULT_USER_TYPE);
        for name in [
            "startDate",
            "isContractor",
            "skills",
            "githubUsername",
            "badgeNumber",
        ] {
            assert!(schema.custom.contains_key(name), "{name} declared");
        }
        assert!(schema.is_unique("workerId"));
        for u in org.users.values() {
            let own = org.check_user_profile(&u.type_id, Some(u.seq), &u.profile);
            assert!(own.is_ok(), "{}: {own:?}", u.login());
        }
        let count = |k: &str| {
            org.users
                .values()
                .filter(|u| u.profile.contains_key(k))
                .count()
        };
        for (k, lo, hi) in [
            ("workerId", 300, 490),
            ("badgeNumber", 200, 400),
            ("githubUsername", 100, 300),
        ] {
            let n = count(k);
            assert!(
                (lo..=hi).contains(&n),
                "some users but not all have {k}: {n}"
            );
        }
        let badge = org
            .users
            .values()
            .find_map(|u| u.profile.get("badgeNumber"));
        assert!(
            badge.is_some_and(Value::is_u64),
            "badgeNumber is an integer: {badge:?}"
        );
        assert_eq!(
            Org::new(5, 0).user_schema(DEFAULT_USER_TYPE).custom.len(),
            0,
            "a new org has Okta's template"
        );
    }
}
