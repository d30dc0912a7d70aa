//! `--help` of every command: snapshots, and an example in each.

use crate::spindle;

fn help(args: &[&str]) -> String {
    let output = spindle().args(args).arg("--help").assert().success();
    String::from_utf8(output.get_output().stdout.clone()).expect("UTF-8 help")
}

#[test]
fn every_command_has_help_with_an_example() {
    for (name, args) in [
        ("help_root", &[][..]),
        ("help_actions", &["actions"][..]),
        ("help_actions_list", &["actions", "list"][..]),
        ("help_actions_describe", &["actions", "describe"][..]),
        ("help_emulator", &["emulator"][..]),
        ("help_actions_validate", &["actions", "validate"][..]),
        ("help_run", &["run"][..]),
        ("help_mcp", &["mcp"][..]),
        ("help_connections", &["connections"][..]),
        ("help_connections_add", &["connections", "add"][..]),
        ("help_connections_list", &["connections", "list"][..]),
        ("help_connections_remove", &["connections", "remove"][..]),
        ("help_serve", &["serve"][..]),
        ("help_keys", &["keys"][..]),
        ("help_keys_create", &["keys", "create"][..]),
        ("help_keys_rotate_master", &["keys", "rotate-master"][..]),
        ("help_employees", &["employees"][..]),
        ("help_employees_list", &["employees", "list"][..]),
        ("help_logs", &["logs"][..]),
        ("help_sync", &["sync"][..]),
        ("help_sync_status", &["sync", "status"][..]),
        ("help_sync_run", &["sync", "run"][..]),
        ("help_sync_changes", &["sync", "changes"][..]),
        ("help_webhooks", &["webhooks"][..]),
        ("help_webhooks_add", &["webhooks", "add"][..]),
        ("help_webhooks_list", &["webhooks", "list"][..]),
        ("help_webhooks_show", &["webhooks", "show"][..]),
        ("help_webhooks_remove", &["webhooks", "remove"][..]),
        ("help_webhooks_enable", &["webhooks", "enable"][..]),
        ("help_webhooks_disable", &["webhooks", "disable"][..]),
        ("help_webhooks_rotate", &["webhooks", "rotate"][..]),
        ("help_webhooks_deliveries", &["webhooks", "deliveries"][..]),
        ("help_webhooks_replay", &["webhooks", "replay"][..]),
    ] {
        let text = help(args);
        assert!(text.contains("Examples:"), "{name} has no example:\n{text}");
        insta::assert_snapshot!(name, text);
    }
}
