//! The `filter` / `search` expression grammar.
