//! Helpers: start an emulator in process, send raw HTTP.

use spindle_emulator::{Emulator, EmulatorConfig};

pub async fn start(config: EmulatorConfig) -> Emulator {
    match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => panic!("emulator did not start: {e}"),
    }
}

#[tokio::test]
async fn starts_on_a_free_port_and_shuts_down() {
    let emu = start(EmulatorConfig::default()).await;
    assert!(emu.url().starts_with("http://127.0.0.1:"));
    assert!(!emu.url().ends_with('/'));
    assert!(!format!("{emu:?}").contains(emu.token()));
    emu.shutdown().await;
}
