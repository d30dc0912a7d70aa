//! Measures `validate_input`: the one-off cost of compiling an action's schema, then inputs per
//! second for a valid and an invalid input, against `serde_json::from_value` of the same input as
//! the peer (the floor: deserializing without any checks). Run through `bench/actions-validate`.

use std::hint::black_box;
use std::time::Instant;

use serde_json::json;
use spindle_actions::{catalog, validate_input};

fn per_second(n: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    f64::from(n) / start.elapsed().as_secs_f64()
}

fn main() {
    let start = Instant::now();
    for action in catalog::all() {
        let _ = validate_input(action.id, &action.example_input());
    }
    let first = start.elapsed();
    println!(
        "compile all 79 schemas on first use: {:.1} ms",
        first.as_secs_f64() * 1000.0
    );

    let valid = catalog::get("post_create_a_user")
        .map(|a| a.example_input())
        .unwrap_or_default();
    let invalid = json!({"body": {"profile": {"login": "x", "email": "ann"}}, "colour": 1});
    let n = 20_000;
    let ok = per_second(n, || {
        black_box(validate_input("post_create_a_user", black_box(&valid)).is_ok());
    });
    let bad = per_second(n, || {
        black_box(validate_input("post_create_a_user", black_box(&invalid)).is_err());
    });
    let floor = per_second(n, || {
        black_box(serde_json::from_value::<serde_json::Value>(black_box(valid.clone())).is_ok());
    });
    println!("post_create_a_user valid input:   {ok:>10.0} /s");
    println!("post_create_a_user invalid input: {bad:>10.0} /s");
    println!(
        "peer, clone + from_value only:    {floor:>10.0} /s (validation costs {:.1}x)",
        floor / ok
    );
}
