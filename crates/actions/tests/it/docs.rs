//! `docs/actions.md` is generated from the catalog and must not go stale.

use std::path::PathBuf;

use spindle_actions::{catalog, docs};

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/actions.md")
}

#[test]
fn docs_actions_md_is_up_to_date() {
    let rendered = docs::render();
    if std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::write(path(), &rendered).expect("write docs/actions.md");
        return;
    }
    let committed = std::fs::read_to_string(path()).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/actions.md is stale or missing: regenerate it with `{}` and commit it",
        docs::REGENERATE
    );
}

#[test]
fn every_action_is_documented_with_endpoint_scopes_fields_and_example() {
    let rendered = docs::render();
    for action in catalog::all() {
        let heading = format!("\n## `{}`\n", action.id);
        let start = rendered
            .find(&heading)
            .unwrap_or_else(|| panic!("{} has no section", action.id));
        let section = &rendered[start + heading.len()..];
        let section = &section[..section.find("\n## `").unwrap_or(section.len())];
        assert!(section.contains(action.summary), "{}: summary", action.id);
        assert!(
            section.contains(&format!("`{} {}`", action.method, action.path)),
            "{}: endpoint",
            action.id
        );
        for scope in action.scopes {
            assert!(
                section.contains(&format!("`{scope}`")),
                "{}: scope {scope}",
                action.id
            );
        }
        for param in action
            .path_params()
            .filter(|_| action.id != "terminate_employee")
        {
            assert!(
                section.contains(&format!("| `{param}` |")),
                "{}: {param} row",
                action.id
            );
        }
        assert!(
            section.contains("### Example input\n\n```json\n"),
            "{}: example",
            action.id
        );
    }
}

#[test]
fn nested_body_fields_and_factor_shapes_are_listed() {
    let rendered = docs::render();
    assert!(rendered.contains("| `body.profile.email` | string (email), 5–100 chars | yes |"));
    assert!(rendered.contains("| `body.profile.*` | any | no |"));
    assert!(rendered.contains("(when factorType = \"sms\")"));
    assert!(rendered.contains("| `limit` | integer 1–200, default `50` | no |"));
    assert!(rendered.contains("| `body.provider` | `\"OKTA\"` \\| `\"GOOGLE\"` | yes |"));
    // Path parameters come first, in path order.
    let tokens = rendered
        .find("| `userId` | string, non-empty | yes | Okta id of the user. |\n| `clientId` |");
    assert!(tokens.is_some(), "path parameters out of order");
}
