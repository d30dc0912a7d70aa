//! The emulator's admin API under `/__emulator/`.
