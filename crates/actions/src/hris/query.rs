//! The Okta `search` expression behind `list_all_employees`' filters.
//!
//! A plain Okta user listing hides `DEPROVISIONED` users; a `search` does not. Employees are
//! therefore always listed with a `search`, whose status clause names the Okta statuses of the
//! requested employment statuses (all of them, terminated included, by default).

use super::employee::EmploymentStatus;

/// The filters of `list_all_employees`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeFilters {
    /// Employment statuses to include; empty means all (`active`, `inactive`, `pending`,
    /// `terminated`).
    pub statuses: Vec<EmploymentStatus>,
    /// Only employees updated after this instant (RFC 3339).
    pub updated_since: Option<String>,
    /// Only employees of this department (Okta compares without regard to case).
    pub department: Option<String>,
}

/// A string literal as Okta's query grammar reads it: a JSON string (double quotes; `"`, `\\`
/// and control characters escaped).
fn quoted(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}

/// An RFC 3339 instant in the form Okta's queries require, `yyyy-MM-ddTHH:mm:ss.SSS` plus `Z`
/// or an offset: fractional seconds are padded or cut to milliseconds.
pub fn okta_timestamp(instant: &str) -> String {
    let instant = instant.trim();
    let Some(t) = instant.find(['T', 't']) else {
        return instant.to_owned();
    };
    let (date, rest) = instant.split_at(t);
    let rest = &rest[1..];
    let zone_at = rest
        .char_indices()
        .skip(8)
        .find(|(_, c)| matches!(c, 'Z' | 'z' | '+' | '-'))
        .map_or(rest.len(), |(i, _)| i);
    let (time, zone) = rest.split_at(zone_at);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let millis: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(3)
        .collect();
    let zone = if zone.is_empty() || zone.eq_ignore_ascii_case("z") {
        "Z"
    } else {
        zone
    };
    format!("{date}T{hms}.{millis}{zone}")
}

/// The Okta `search` expression for `filters`.
///
/// ```
/// use spindle_actions::hris::{EmployeeFilters, EmploymentStatus, okta_search};
///
/// let filters = EmployeeFilters {
///     statuses: vec![EmploymentStatus::Terminated],
///     updated_since: Some("2026-01-01T00:00:00Z".into()),
///     department: Some("Sales".into()),
/// };
/// assert_eq!(
///     okta_search(&filters),
///     r#"status eq "DEPROVISIONED" and lastUpdated gt "2026-01-01T00:00:00.000Z" and profile.department eq "Sales""#
/// );
/// ```
pub fn okta_search(filters: &EmployeeFilters) -> String {
    let all = [
        EmploymentStatus::Active,
        EmploymentStatus::Inactive,
        EmploymentStatus::Pending,
        EmploymentStatus::Terminated,
    ];
    let statuses: &[EmploymentStatus] = if filters.statuses.is_empty() {
        &all
    } else {
        &filters.statuses
    };
    let mut okta: Vec<&str> = Vec::new();
    for status in statuses {
        for s in status.okta_statuses() {
            if !okta.contains(s) {
                okta.push(s);
            }
        }
    }
    let mut clauses = Vec::new();
    let status_clause = okta
        .iter()
        .map(|s| format!("status eq {}", quoted(s)))
        .collect::<Vec<_>>()
        .join(" or ");
    let several_clauses = filters.updated_since.is_some() || filters.department.is_some();
    match okta.len() {
        0 => {}
        1 => clauses.push(status_clause),
        _ if several_clauses => clauses.push(format!("({status_clause})")),
        _ => clauses.push(status_clause),
    }
    if let Some(since) = &filters.updated_since {
        clauses.push(format!("lastUpdated gt {}", quoted(&okta_timestamp(since))));
    }
    if let Some(department) = &filters.department {
        clauses.push(format!("profile.department eq {}", quoted(department)));
    }
    clauses.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_filter_lists_every_status_including_deprovisioned() {
        let search = okta_search(&EmployeeFilters::default());
        for status in [
            "ACTIVE",
            "SUSPENDED",
            "STAGED",
            "PROVISIONED",
            "DEPROVISIONED",
            "LOCKED_OUT",
        ] {
            assert!(
                search.contains(&format!("status eq \"{status}\"")),
                "{search}"
            );
        }
        assert!(!search.contains(" and "), "{search}");
    }

    #[test]
    fn several_statuses_are_grouped_before_other_clauses() {
        let filters = EmployeeFilters {
            statuses: vec![EmploymentStatus::Pending],
            department: Some("R&D".into()),
            ..Default::default()
        };
        assert_eq!(
            okta_search(&filters),
            r#"(status eq "STAGED" or status eq "PROVISIONED") and profile.department eq "R&D""#
        );
    }

    #[test]
    fn quotes_and_backslashes_in_values_are_escaped() {
        let filters = EmployeeFilters {
            statuses: vec![EmploymentStatus::Inactive],
            department: Some(r#"Sales "EMEA" \ North"#.into()),
            ..Default::default()
        };
        assert_eq!(
            okta_search(&filters),
            r#"status eq "SUSPENDED" and profile.department eq "Sales \"EMEA\" \\ North""#
        );
    }

    #[test]
    fn control_characters_cannot_break_out_of_a_literal() {
        let filters = EmployeeFilters {
            statuses: vec![EmploymentStatus::Terminated],
            department: Some("Sales\" or status eq \"ACTIVE\nx".into()),
            ..Default::default()
        };
        let search = okta_search(&filters);
        assert_eq!(
            search,
            r#"status eq "DEPROVISIONED" and profile.department eq "Sales\" or status eq \"ACTIVE\nx""#
        );
    }

    #[test]
    fn timestamps_get_okta_millisecond_form() {
        assert_eq!(
            okta_timestamp("2026-01-01T00:00:00Z"),
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(
            okta_timestamp("2026-01-01T00:00:00.5Z"),
            "2026-01-01T00:00:00.500Z"
        );
        assert_eq!(
            okta_timestamp("2026-01-01t10:00:00.123456z"),
            "2026-01-01T10:00:00.123Z"
        );
        assert_eq!(
            okta_timestamp("2026-01-01T10:00:00-07:00"),
            "2026-01-01T10:00:00.000-07:00"
        );
        assert_eq!(
            okta_timestamp("2026-01-01T10:00:00.000Z"),
            "2026-01-01T10:00:00.000Z"
        );
    }
}
