//! Tests of the whole pipeline: validation, evaluation, printing round-trips.

use proptest::prelude::*;
use serde_json::{Map, Value as Json, json};

use super::*;

fn profile(v: Json) -> Map<String, Json> {
    match v {
        Json::Object(m) => m,
        _ => Map::new(),
    }
}

fn groups() -> Vec<(String, String)> {
    vec![
        ("00gENG".to_owned(), "Engineering".to_owned()),
        ("00gSALES".to_owned(), "Sales EMEA".to_owned()),
    ]
}

/// Evaluates `src` (which must validate) for a fixed user.
fn run(src: &str) -> Result<Value, EvalError> {
    let rule = match validate_rule_expression(src) {
        Ok(r) => r,
        Err(e) => panic!("{src}: {e}"),
    };
    let p = profile(json!({
        "login": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace",
        "department": "Engineering", "role": "Engineer", "salary": 1_200_000,
        "isContractor": false, "favoriteColors": ["blue", "green"], "zipCode": "94105",
        "title": "Sr. Engineer, Platform"
    }));
    let g = groups();
    let ctx = Ctx {
        user: UserView {
            id: "00uADA",
            status: "ACTIVE",
            profile: &p,
        },
        groups: &g,
    };
    eval(&rule.expr, &ctx)
}

fn holds(src: &str) -> bool {
    run(src) == Ok(Value::Bool(true))
}

#[test]
fn documented_group_rule_examples_evaluate_as_okta_describes() {
    assert!(holds(r#"user.role=="Engineer""#));
    assert!(
        !holds(r#"user.role=="engineer""#),
        "string equality is case-sensitive"
    );
    assert!(holds(r#"String.stringContains(user.department,"Eng")"#));
    assert!(holds("user.salary >= 1000000"));
    assert!(holds("!user.isContractor"));
    assert!(holds(r#"Arrays.contains(user.favoriteColors,"blue")"#));
    assert!(!holds(r#"Arrays.contains(user.favoriteColors,"red")"#));
    assert!(holds(r#"user.getInternalProperty("status") == "ACTIVE""#));
    assert!(holds(r#"user.getInternalProperty("id") == '00uADA'"#));
    assert!(holds(
        r#"user.lastName=="Lovelace" AND user.firstName=="Ada""#
    ));
    assert!(holds(
        r#"user.lastName=="X" OR NOT (user.firstName=="Bob")"#
    ));
}

#[test]
fn group_functions_use_the_membership_lookup() {
    assert!(holds(r#"isMemberOfGroup("00gENG")"#));
    assert!(!holds(r#"isMemberOfGroup("00gNOPE")"#));
    assert!(holds(r#"isMemberOfAnyGroup("00gNOPE", "00gSALES")"#));
    assert!(!holds(r#"isMemberOfAnyGroup("00gA", "00gB")"#));
    assert!(holds(r#"isMemberOfGroupName("Engineering")"#));
    assert!(!holds(r#"isMemberOfGroupName("engineering")"#));
    assert!(holds(r#"isMemberOfGroupNameStartsWith("Sales")"#));
    assert!(holds(r#"isMemberOfGroupNameContains("EME")"#));
    assert!(holds(r#"isMemberOfGroupNameRegex("Sales.*")"#));
    assert!(
        !holds(r#"isMemberOfGroupNameRegex("Sales")"#),
        "regex matches the whole name"
    );
}

#[test]
fn string_functions_follow_their_documented_results() {
    assert!(holds(r#"String.startsWith(user.login, "ada@")"#));
    assert!(holds(r#"String.substringBefore(user.login, "@") == "ada""#));
    assert!(holds(
        r#"String.substringAfter(user.login, "@") == "example.com""#
    ));
    assert!(holds(r#"String.substringAfter(user.login, "%") == """#));
    assert!(holds(
        r#"String.substringBefore(user.login, "%") == user.login"#
    ));
    assert!(holds(r#"String.toUpperCase(user.firstName) == "ADA""#));
    assert!(holds(r#"String.len(user.zipCode) == 5"#));
    assert!(holds(r#"String.substring(user.zipCode, 0, 2) == "94""#));
    assert!(holds(
        r#"String.replace(user.title, "[,.]", "") == "Sr Engineer Platform""#
    ));
    assert!(holds(
        r#"String.stringSwitch(user.title, "other", "Manager", "mgr", "Engineer", "eng") == "eng""#
    ));
    assert!(holds(
        r#"Arrays.size(user.favoriteColors) == 2 && !Arrays.isEmpty(user.favoriteColors)"#
    ));
    assert!(
        holds(r#"user.zipCode == 94105"#),
        "numeric string equals number"
    );
    assert!(holds(r#"user.department matches "Eng.*""#));
    assert!(holds(r#"(user.salary > 10 ? "rich" : "poor") == "rich""#));
}

#[test]
fn unset_attributes_never_make_a_rule_match() {
    assert!(!holds(r#"user.costCenter == "X""#));
    assert!(holds("user.costCenter == null"));
    // `!null` is an evaluation error in SpEL: no match rather than a surprise match.
    assert!(run("!user.costCenter").is_err());
    assert!(run("user.costCenter > 3").is_err());
    assert!(!holds(r#"String.stringContains(user.costCenter, "x")"#));
    assert!(run(r#"String.substring(user.zipCode, 3, 99) == "05""#).is_err());
}

#[test]
fn validation_rejects_what_group_rules_reject() {
    let err = |s: &str| validate_rule_expression(s).err();
    assert_eq!(err(""), Some(ElError::Empty));
    assert_eq!(err("   "), Some(ElError::Empty));
    assert!(
        matches!(err(r#"Convert.toInt("2018") == user.yearJoined"#), Some(ElError::FunctionNotAllowed(f)) if f == "Convert.toInt")
    );
    assert!(matches!(
        err("Time.now() > 1"),
        Some(ElError::FunctionNotAllowed(_))
    ));
    assert!(matches!(
        err(r#"user.getGroups("a") == null"#),
        Some(ElError::FunctionNotAllowed(_))
    ));
    assert!(
        matches!(err(r#"profile.department == "x""#), Some(ElError::InvalidProperty(p)) if p == "profile.department")
    );
    assert!(matches!(
        err(r#"user.profile.department == "x""#),
        Some(ElError::InvalidProperty(_))
    ));
    assert!(matches!(
        err(r#"user.role = "Engineer""#),
        Some(ElError::Assignment { .. })
    ));
    assert!(matches!(
        err(r#"user.firstName == "John" AND"#),
        Some(ElError::Syntax { .. })
    ));
    assert!(matches!(
        err(r#"user.firstName === "John""#),
        Some(ElError::Syntax { .. })
    ));
    assert!(matches!(
        err("Arrays.contains()"),
        Some(ElError::Arity { .. })
    ));
    assert!(
        matches!(err("isMemberOfAnyGroup()"), Some(ElError::Arity { expected, .. }) if expected == "at least 1")
    );
    assert_eq!(err(r#""Engineering""#), Some(ElError::NotBoolean));
    assert_eq!(err("String.len(user.a)"), Some(ElError::NotBoolean));
    assert!(matches!(err(r#"!"x""#), Some(ElError::Type(_))));
    assert!(matches!(
        err(r#"isMemberOfGroupNameRegex("(")"#),
        Some(ElError::Type(_))
    ));
    assert_eq!(
        err(&format!("user.a == \"{}\"", "x".repeat(MAX_EXPRESSION_LEN))),
        Some(ElError::TooLong)
    );
    // A bare attribute may hold a Boolean, so it is accepted.
    assert!(validate_rule_expression("user.isContractor").is_ok());
}

#[test]
fn rules_report_the_attributes_and_groups_they_depend_on() {
    let r = validate_rule_expression(
        r#"user.department == "Eng" && (isMemberOfAnyGroup("00gB", "00gA") || String.startsWith(user.title, "Sr")) && user.department != "X""#,
    );
    let Ok(r) = r else { panic!("{r:?}") };
    assert_eq!(r.user_attributes(), vec!["department", "title"]);
    assert_eq!(r.referenced_group_ids(), vec!["00gA", "00gB"]);
    assert!(r.uses_group_functions());
    let plain = validate_rule_expression("user.a == 1").map(|r| r.uses_group_functions());
    assert_eq!(plain, Ok(false));
}

#[test]
fn errors_name_the_field_and_read_like_okta_causes() {
    let e = validate_rule_expression("Convert.toInt(user.a) == 1").err();
    let Some(e) = e else { panic!("accepted") };
    assert_eq!(e.okta_field(), "conditions.expression.value");
    assert_eq!(
        e.to_string(),
        "Function Convert.toInt is not allowed in group rules."
    );
}

#[test]
fn rules_skip_excluded_and_pending_or_inactive_users() {
    let rule = match validate_rule_expression(r#"user.role == "Engineer""#) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let p = profile(json!({"role": "Engineer"}));
    let g: Vec<(String, String)> = Vec::new();
    let ctx = |status| Ctx {
        user: UserView {
            id: "00u1",
            status,
            profile: &p,
        },
        groups: &g,
    };
    assert!(rule_applies(&rule, &[], &ctx("ACTIVE")));
    assert!(rule_applies(&rule, &[], &ctx("SUSPENDED")));
    assert!(!rule_applies(&rule, &["00u1".to_owned()], &ctx("ACTIVE")));
    for s in ["STAGED", "PROVISIONED", "DEPROVISIONED"] {
        assert!(!rule_applies(&rule, &[], &ctx(s)), "{s}");
    }
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "matches", "true", "false", "null",
    "user",
];

fn ident() -> impl Strategy<Value = String> {
    "[a-zA-Z_$][a-zA-Z0-9_$]{0,5}".prop_filter("keyword", |s| {
        !KEYWORDS.contains(&s.to_ascii_lowercase().as_str())
    })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        any::<f64>()
            .prop_filter("finite", |n| n.is_finite())
            .prop_map(Literal::Number),
        any::<String>().prop_map(Literal::Str),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        literal().prop_map(Expr::Lit),
        prop::collection::vec(ident(), 1..3).prop_map(Expr::UserAttr),
        prop::collection::vec(ident(), 1..3).prop_map(Expr::Var),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        let ops = prop::sample::select(vec![
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
            BinOp::Matches,
            BinOp::And,
            BinOp::Or,
        ]);
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            (ops, inner.clone(), inner.clone()).prop_map(|(op, l, r)| Expr::Binary {
                op,
                lhs: Box::new(l),
                rhs: Box::new(r)
            }),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, o)| Expr::Ternary {
                cond: Box::new(c),
                then: Box::new(t),
                otherwise: Box::new(o)
            }),
            (
                prop::collection::vec(ident(), 1..3),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(n, args)| Expr::Call {
                    name: n.join("."),
                    args
                }),
            (ident(), prop::collection::vec(inner, 0..3))
                .prop_map(|(name, args)| Expr::UserMethod { name, args }),
        ]
    })
}

proptest! {
    #[test]
    fn printing_then_parsing_gives_the_same_tree(e in expr()) {
        let printed = e.to_string();
        let reparsed = parse(&printed);
        prop_assert_eq!(reparsed, Ok(e), "printed: {}", printed);
    }

    #[test]
    fn parser_and_validator_never_panic_on_arbitrary_text(s in any::<String>()) {
        let _ = validate_rule_expression(&s);
    }

    #[test]
    fn parser_never_panics_on_token_soup(
        parts in prop::collection::vec(prop::sample::select(vec![
            "user", ".", "a", "(", ")", ",", "==", "!=", "<", ">=", "&&", "||", "!", "?", ":",
            "\"s\"", "'t'", "1", "-", "2.5", "AND", "or", "NOT", "=", "String.len", "matches",
            "isMemberOfGroup", "null", "true",
        ]), 0..40)
    ) {
        let src = parts.join(" ");
        if let Ok(rule) = validate_rule_expression(&src) {
            // Whatever validates must also evaluate without panicking and re-print stably.
            let p = Map::new();
            let g: Vec<(String, String)> = Vec::new();
            let ctx = Ctx { user: UserView { id: "00u", status: "ACTIVE", profile: &p }, groups: &g };
            let _ = rule.matches(&ctx);
            prop_assert_eq!(parse(&rule.expr.to_string()), Ok(rule.expr.clone()));
        }
    }
}
