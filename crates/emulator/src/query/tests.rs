use std::collections::HashMap;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::eval::invalid_date;
use super::*;

struct Rec(HashMap<&'static str, Value>);

impl Record for Rec {
    fn field(&self, attr: &str) -> Option<Val<'_>> {
        if is_time_attr(attr) {
            return self
                .0
                .get(attr)
                .and_then(Value::as_str)
                .and_then(crate::util::parse_ts)
                .map(Val::Time);
        }
        self.0.get(attr).map(Val::Json)
    }
}

fn rec() -> Rec {
    Rec(HashMap::from([
        ("status", json!("ACTIVE")),
        ("lastUpdated", json!("2024-05-01T10:00:00.000Z")),
        ("profile.firstName", json!("Ada")),
        ("profile.lastName", json!("Lovelace")),
        ("profile.level", json!(7)),
        ("profile.skills", json!(["rust", "math"])),
        ("profile.nickName", Value::Null),
    ]))
}

fn eval(src: &str, ci: bool) -> bool {
    match parse(src) {
        Ok(e) => matches(&e, &rec(), ci),
        Err(m) => panic!("{src}: {m}"),
    }
}

#[test]
fn operators_and_logic() {
    assert!(eval(r#"status eq "ACTIVE""#, false));
    assert!(
        !eval(r#"status eq "active""#, false),
        "filter values are case-sensitive"
    );
    assert!(
        eval(r#"status eq "active""#, true),
        "search values are case-insensitive"
    );
    assert!(eval(
        r#"profile.firstName sw "Ad" and profile.lastName co "love""#,
        true
    ));
    assert!(eval(r#"lastUpdated gt "2024-01-01T00:00:00.000Z""#, false));
    assert!(!eval(
        r#"lastUpdated lt "2024-01-01T00:00:00.000-07:00""#,
        false
    ));
    assert!(eval(
        r#"lastUpdated ge "2024-05-01T10:00:00.000Z" and lastUpdated le "2024-05-01T10:00:00.000Z""#,
        false
    ));
    assert!(eval("profile.level gt 3", false));
    assert!(!eval("profile.level lt 3", false));
    assert!(
        eval(r#"profile.skills eq "math""#, false),
        "arrays: any element"
    );
    assert!(eval("profile.firstName pr", false));
    assert!(!eval("profile.nickName pr", false));
    assert!(!eval("profile.missing pr", false));
    assert!(eval(
        r#"status eq "X" or (status EQ "ACTIVE" AND profile.firstName eq "Ada")"#,
        false
    ));
    // precedence: and binds tighter than or
    assert!(eval(
        r#"status eq "ACTIVE" or status eq "X" and status eq "Y""#,
        false
    ));
    assert!(!eval(
        r#"(status eq "ACTIVE" or status eq "X") and status eq "Y""#,
        false
    ));
}

#[test]
fn syntax_errors() {
    for bad in [
        "",
        "status",
        "status eq",
        "status eq ACTIVE",
        r#"status eq "ACTIVE"#,
        r#"(status eq "ACTIVE""#,
        r#"status eq "ACTIVE")"#,
        r#"not status eq "ACTIVE""#,
        r#"status foo "ACTIVE""#,
        r#"status eq "A" and"#,
        r#"and status eq "A""#,
    ] {
        assert!(parse(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn dialects_limit_attributes_and_operators() {
    let check = |d: Dialect, s: &str| parse(s).and_then(|e| d.check(&e));
    assert!(
        check(
            Dialect::UserFilter,
            r#"status eq "ACTIVE" and profile.login eq "a@b.c""#
        )
        .is_ok()
    );
    assert!(
        check(
            Dialect::UserFilter,
            r#"lastUpdated gt "2024-01-01T00:00:00.000Z""#
        )
        .is_ok()
    );
    assert!(check(Dialect::UserFilter, r#"status sw "ACT""#).is_err());
    assert!(check(Dialect::UserFilter, r#"profile.city eq "Paris""#).is_err());
    assert!(
        check(
            Dialect::UserSearch,
            r#"profile.city eq "Paris" and created lt "2024-01-01""#
        )
        .is_ok()
    );
    assert!(check(Dialect::UserSearch, r#"profile.city co "ar""#).is_err());
    assert!(check(Dialect::UserSearch, r#"profile.email co "ar""#).is_ok());
    assert!(check(Dialect::UserSearch, r#"status ne "ACTIVE""#).is_err());
    assert!(check(Dialect::GroupFilter, r#"type eq "OKTA_GROUP""#).is_ok());
    assert!(check(Dialect::GroupFilter, r#"profile.name eq "x""#).is_err());
    assert!(check(Dialect::GroupSearch, r#"profile.name co "eng""#).is_ok());
    assert!(check(Dialect::GroupSearch, r#"id co "00g""#).is_err());
}

#[test]
fn invalid_dates_are_found() {
    let e = parse(r#"status eq "ACTIVE" and lastUpdated gt "yesterday""#)
        .unwrap_or(Expr::Present("x".into()));
    assert_eq!(invalid_date(&e), Some("yesterday".to_owned()));
}

fn leaf() -> impl Strategy<Value = Expr> {
    let attr = prop::sample::select(vec!["status", "profile.firstName", "profile.level", "id"]);
    let op = prop::sample::select(vec![Op::Eq, Op::Gt, Op::Ge, Op::Lt, Op::Le, Op::Sw, Op::Co]);
    let lit = prop_oneof![
        "[a-zA-Z0-9 \"\\\\é]{0,8}".prop_map(Lit::Str),
        (-1000i32..1000).prop_map(|n| Lit::Num(f64::from(n))),
        any::<bool>().prop_map(Lit::Bool),
    ];
    prop_oneof![
        (attr.clone(), op, lit).prop_map(|(a, op, value)| Expr::Cmp {
            attr: a.to_owned(),
            op,
            value
        }),
        attr.prop_map(|a| Expr::Present(a.to_owned())),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 32, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn render(e: &Expr) -> String {
    match e {
        Expr::Cmp { attr, op, value } => {
            let v = match value {
                Lit::Str(s) => serde_json::to_string(s).unwrap_or_default(),
                Lit::Num(n) => format!("{n}"),
                Lit::Bool(b) => b.to_string(),
                Lit::Null => "null".into(),
            };
            format!("{attr} {} {v}", op.as_str())
        }
        Expr::Present(a) => format!("{a} pr"),
        Expr::And(a, b) => format!("({} and {})", render(a), render(b)),
        Expr::Or(a, b) => format!("({} or {})", render(a), render(b)),
    }
}

proptest! {
    #[test]
    fn rendered_expressions_parse_back(e in expr()) {
        let src = render(&e);
        prop_assert_eq!(parse(&src), Ok(e));
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,60}") {
        let _ = parse(&s);
    }

    #[test]
    fn or_and_are_boolean(a in expr(), b in expr()) {
        let r = rec();
        let both = Expr::And(Box::new(a.clone()), Box::new(b.clone()));
        let either = Expr::Or(Box::new(a.clone()), Box::new(b.clone()));
        prop_assert_eq!(matches(&both, &r, true), matches(&a, &r, true) && matches(&b, &r, true));
        prop_assert_eq!(matches(&either, &r, true), matches(&a, &r, true) || matches(&b, &r, true));
    }
}
